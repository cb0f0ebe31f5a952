// Packs a Lambda's source files into a ConfigMap. ConfigMap keys cannot hold "/", so files in
// subdirectories get a flattened key and an `items` entry that maps the key back to its path.
// The ConfigMap carries the label the operator watches code ConfigMaps by.
import { LAMBDA_CODE_LABEL } from '../api/lambda.ts';

export interface SourceFile {
  /** Path relative to the manifest's directory, with "/" separators. */
  path: string;
  content: Buffer;
}

export interface CodeConfigMap {
  name: string;
  items?: { key: string; path: string }[];
  manifest: Record<string, unknown>;
}

/** A ConfigMap holds at most 1 MiB in etcd; leave room for metadata. */
const MAX_BYTES = 1_000_000;
const KEY = /^[-._a-zA-Z0-9]+$/;

export function codeConfigMap(name: string, namespace: string, files: SourceFile[]): CodeConfigMap | { error: string } {
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  const items: { key: string; path: string }[] = [];
  let bytes = 0;
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const key = file.path.split('/').join('--');
    if (!KEY.test(key)) return { error: `file ${file.path} has a name a ConfigMap key cannot hold (letters, digits, -, _ and . only)` };
    if (key in data || key in binaryData) return { error: `files ${file.path} and another one map to the same ConfigMap key ${key}` };
    const text = file.content.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(file.content)) data[key] = text;
    else binaryData[key] = file.content.toString('base64');
    bytes += file.content.length;
    if (file.path.includes('/')) items.push({ key, path: file.path });
  }
  if (bytes > MAX_BYTES) {
    return { error: `the code beside the manifest is ${bytes} bytes, more than a ConfigMap holds (1 MiB): upload a zip to S3 and set code.s3Bucket and code.s3Key` };
  }
  const manifest: Record<string, unknown> = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/part-of': 'bedrock-forge-operator', [LAMBDA_CODE_LABEL]: 'true' } },
    data,
  };
  if (Object.keys(binaryData).length > 0) manifest.binaryData = binaryData;
  if (items.length === 0) return { name, manifest };
  // Every key is listed once a single one is, so the mapping is complete and explicit.
  const all = Object.keys({ ...data, ...binaryData }).sort().map((key) => items.find((i) => i.key === key) ?? { key, path: key });
  return { name, items: all, manifest };
}
