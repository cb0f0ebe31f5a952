// The code a Lambda's spec asks for, and how to tell whether the deployed code is that code:
// zips the operator builds (inline files, a ConfigMap) or is given (zipFile) by CodeSha256; S3
// code by a declared hash, else by its bucket, key and version; images by URI.
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { FunctionCode } from '@aws-sdk/client-lambda';
import type { LambdaCode } from '../../api/lambda.ts';
import { codeSha256, deterministicZip } from '../../aws/lambda/deterministic-zip.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';

export type DesiredCode =
  | { kind: 'zip'; zip: Buffer; sha256: string; source: string }
  | { kind: 's3'; bucket: string; key: string; version?: string; sha256?: string; source: string }
  | { kind: 'image'; imageUri: string; source: string };

export function desiredCode(code: LambdaCode, namespace: string, configMap: (name: string) => V1ConfigMap | undefined): DesiredCode {
  if (code.inline) return zipOf(deterministicZip(code.inline), 'inline files');
  if (code.zipFile) return zipOf(Buffer.from(code.zipFile, 'base64'), 'zipFile');
  if (code.imageUri) return { kind: 'image', imageUri: code.imageUri, source: code.imageUri };
  if (code.s3Bucket && code.s3Key) {
    const version = code.s3ObjectVersion ? `?versionId=${code.s3ObjectVersion}` : '';
    return {
      kind: 's3', bucket: code.s3Bucket, key: code.s3Key, version: code.s3ObjectVersion, sha256: code.sha256,
      source: `s3://${code.s3Bucket}/${code.s3Key}${version}`,
    };
  }
  if (code.configMap) {
    const name = code.configMap.name;
    const cm = configMap(name);
    if (!cm) {
      throw new WaitingError('WaitingForConfigMap', `ConfigMap ${namespace}/${name} (spec.code.configMap) does not exist yet; the code is built from it once it is applied`, 'dependency');
    }
    const content = (key: string): Buffer | undefined =>
      cm.data?.[key] !== undefined ? Buffer.from(cm.data[key]) : cm.binaryData?.[key] !== undefined ? Buffer.from(cm.binaryData[key], 'base64') : undefined;
    const files: Record<string, Buffer> = {};
    const items = code.configMap.items ?? [...Object.keys(cm.data ?? {}), ...Object.keys(cm.binaryData ?? {})].map((key) => ({ key, path: key }));
    for (const { key, path } of items) {
      const data = content(key);
      if (!data) throw new TerminalError('ConfigMapKeyMissing', `ConfigMap ${namespace}/${name} has no key ${key} (spec.code.configMap.items); add it or fix the item`);
      files[path] = data;
    }
    if (Object.keys(files).length === 0) throw new TerminalError('ConfigMapEmpty', `ConfigMap ${namespace}/${name} holds no files`);
    return zipOf(deterministicZip(files), `ConfigMap ${name}`);
  }
  throw new TerminalError('NoCode', 'spec.code names no code: set s3Bucket+s3Key, zipFile, imageUri, inline or configMap');
}

function zipOf(zip: Buffer, source: string): DesiredCode {
  return { kind: 'zip', zip, sha256: codeSha256(zip), source };
}

/** The Code of CreateFunction, or the code fields of UpdateFunctionCode. */
export function functionCode(code: DesiredCode): FunctionCode {
  switch (code.kind) {
    case 'zip': return { ZipFile: code.zip };
    case 's3': return { S3Bucket: code.bucket, S3Key: code.key, S3ObjectVersion: code.version };
    case 'image': return { ImageUri: code.imageUri };
  }
}

/**
 * Whether the deployed code is the desired code. `deployedSource` is what the operator last
 * recorded in status.codeSource; for S3 code without a declared hash it is the only evidence.
 */
export function codeMatches(code: DesiredCode, deployed: { sha256?: string; imageUri?: string; source?: string }): boolean {
  switch (code.kind) {
    case 'zip': return code.sha256 === deployed.sha256;
    case 'image': return code.imageUri === deployed.imageUri;
    case 's3':
      if (code.sha256) return code.sha256 === deployed.sha256;
      return deployed.source === undefined || deployed.source === code.source;
  }
}
