// What Lambda refuses that its API model does not say, from src/aws/lambda/lambda-rules.json (the
// test bed's emulator reads the same file): runtimes past their block dates, reserved environment
// keys, the 4 KB environment limit, and code that is not a zip. Checked before any AWS call.
import lambdaRules from '../../aws/lambda/lambda-rules.json' with { type: 'json' };
import { TerminalError } from '../../runtime/errors.ts';

interface DeprecatedRuntime { identifier: string; name: string; deprecated: string; blockCreate: string; blockUpdate: string }
interface LambdaRulesData {
  sources: Record<string, string>;
  deprecatedRuntimes: DeprecatedRuntime[];
  environment: { maxBytes: number; reservedKeys: string[] };
}

export const LAMBDA_RULES = lambdaRules as LambdaRulesData;

const day = (date: Date) => date.toISOString().slice(0, 10);

/**
 * A runtime Lambda no longer takes: for a new function once its block-create date has come, for
 * an existing one once its block-update date has. The message says when and where that is written.
 */
export function runtimeRefusal(runtime: string | undefined, creating: boolean, today = new Date()): string | undefined {
  const entry = LAMBDA_RULES.deprecatedRuntimes.find((r) => r.identifier === runtime);
  if (!entry) return undefined;
  const blocked = creating ? entry.blockCreate : entry.blockUpdate;
  if (blocked > day(today)) return undefined;
  return `spec.runtime ${entry.identifier} (${entry.name}) is deprecated since ${entry.deprecated} and Lambda refuses it for ${creating ? 'new functions since' : 'updates since'} ${blocked} (${LAMBDA_RULES.sources.runtimes}): choose a supported runtime`;
}

/** Reserved keys and the size limit of the environment, as Lambda measures it (the JSON of the variables). */
export function environmentRefusal(variables: Record<string, string>, field: string): string | undefined {
  const reserved = Object.keys(variables).filter((k) => LAMBDA_RULES.environment.reservedKeys.includes(k));
  if (reserved.length > 0) {
    return `${field} sets ${reserved.join(', ')}, which Lambda reserves for itself (${LAMBDA_RULES.sources.environment}): remove ${reserved.length > 1 ? 'them' : 'it'}`;
  }
  const size = Buffer.byteLength(JSON.stringify(variables));
  const max = LAMBDA_RULES.environment.maxBytes;
  if (size > max) return `${field} is ${size} bytes as Lambda measures it (the JSON of the variables); Lambda allows ${max}: move large values to SSM Parameter Store or Secrets Manager`;
  return undefined;
}

/**
 * Whether bytes are a zip Lambda can unzip: an end-of-central-directory record, and entries whose
 * headers are where the directory says, with a method Lambda inflates. Structure only, no
 * inflating: this runs on every pass.
 */
export function zipProblem(bytes: Buffer): string | undefined {
  const EOCD = 0x06054b50;
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (bytes.readUInt32LE(i) === EOCD) { end = i; break; }
  }
  if (end < 0) return 'it is not a zip archive (no end-of-central-directory record)';
  const entries = bytes.readUInt16LE(end + 10);
  let offset = bytes.readUInt32LE(end + 16);
  for (let n = 0; n < entries; n++) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== 0x02014b50) return 'its central directory is damaged';
    const method = bytes.readUInt16LE(offset + 10);
    const compressed = bytes.readUInt32LE(offset + 20);
    const local = bytes.readUInt32LE(offset + 42);
    if (method !== 0 && method !== 8) return `an entry uses compression method ${method}, which Lambda cannot unzip`;
    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== 0x04034b50) return 'an entry points outside the archive';
    if (local + 30 + compressed > bytes.length) return 'an entry is cut short';
    offset += 46 + bytes.readUInt16LE(offset + 28) + bytes.readUInt16LE(offset + 30) + bytes.readUInt16LE(offset + 32);
  }
  return undefined;
}

/** Refuses, before any call, a spec.code.zipFile that is not a zip. */
export function checkZipFile(zipFile: string | undefined): void {
  if (zipFile === undefined) return;
  const problem = zipProblem(Buffer.from(zipFile, 'base64'));
  if (problem) throw new TerminalError('InvalidCode', `spec.code.zipFile: ${problem}; give the base64 of a .zip file`);
}
