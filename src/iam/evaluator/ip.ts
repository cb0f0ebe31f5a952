// IP addresses and CIDR ranges for IpAddress/NotIpAddress: IPv4 and IPv6, as aws:SourceIp carries them.
import { isIPv4, isIPv6 } from 'node:net';

interface Address { family: 4 | 6; bits: bigint }
interface Range { family: 4 | 6; bits: bigint; prefix: number }

function v4(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

/** An IPv6 address as 128 bits; `::` fills the missing groups, and a dotted IPv4 tail is two groups. */
function v6(text: string): bigint {
  let groups = text;
  const lastColon = groups.lastIndexOf(':');
  const tail = groups.slice(lastColon + 1);
  if (tail.includes('.')) {
    const n = v4(tail);
    groups = `${groups.slice(0, lastColon + 1)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = groups.split('::');
  const left = head ? head.split(':') : [];
  const right = rest === undefined ? [] : rest ? rest.split(':') : [];
  const fill = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function parseAddress(text: string): Address | undefined {
  if (isIPv4(text)) return { family: 4, bits: v4(text) };
  // Zone indices (fe80::1%eth0) name an interface, not an address IAM compares.
  if (isIPv6(text) && !text.includes('%')) return { family: 6, bits: v6(text) };
  return undefined;
}

/** A CIDR range, or a single address written without a prefix length. */
export function parseRange(text: string): Range | undefined {
  const slash = text.indexOf('/');
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!address) return undefined;
  const width = address.family === 4 ? 32 : 128;
  if (slash < 0) return { ...address, prefix: width };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= width ? { ...address, prefix } : undefined;
}

/** Whether an address lies in a range; an address of the other family never does. */
export function inRange(address: Address, range: Range): boolean {
  if (address.family !== range.family) return false;
  const shift = BigInt((address.family === 4 ? 32 : 128) - range.prefix);
  return address.bits >> shift === range.bits >> shift;
}
