// Zip archives built the same way every time: entries sorted by path, stored uncompressed, with a
// fixed timestamp (1980-01-01) and file mode (0644). The same source files therefore always give
// the same bytes, so Lambda's CodeSha256 tells whether the deployed code is the desired one.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** DOS date of 1980-01-01, the earliest a zip entry can carry (time 00:00:00). */
const DOS_DATE_1980 = (1 << 5) | 1;
/** "Made by" Unix (3), zip spec 2.0: lets the external attributes carry a Unix file mode. */
const MADE_BY_UNIX = (3 << 8) | 20;
/** A regular file with mode 0644, in the high 16 bits of the external attributes. */
const REGULAR_FILE_0644 = (0o100644 << 16) >>> 0;

export function deterministicZip(files: Record<string, string | Buffer>): Buffer {
  const localParts: Buffer[] = [];
  const centralParts: Buffer[] = [];
  let offset = 0;
  const paths = Object.keys(files).sort();
  for (const path of paths) {
    const data = Buffer.from(files[path]!);
    const name = Buffer.from(path, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header signature
    local.writeUInt16LE(20, 4); // version needed to extract
    local.writeUInt16LE(0x0800, 6); // UTF-8 file names
    local.writeUInt16LE(DOS_DATE_1980, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18); // compressed size (stored)
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); // central directory header signature
    central.writeUInt16LE(MADE_BY_UNIX, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(DOS_DATE_1980, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(REGULAR_FILE_0644, 38);
    central.writeUInt32LE(offset, 42); // offset of the local header
    localParts.push(local, name, data);
    centralParts.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centralParts);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory signature
  end.writeUInt16LE(paths.length, 8);
  end.writeUInt16LE(paths.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...localParts, directory, end]);
}

/** Lambda's CodeSha256 of a deployment package: the base64 SHA-256 of its bytes. */
export function codeSha256(zip: Buffer): string {
  return createHash('sha256').update(zip).digest('base64');
}
