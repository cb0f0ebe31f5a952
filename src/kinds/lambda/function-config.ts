// A Lambda function's configuration: what the spec asks for (AWS's defaults where it is silent),
// and which aspects differ from what GetFunction returned. Values AWS leaves out of its answer
// count as AWS's defaults, so a function in sync never looks different.
import { isDeepStrictEqual } from 'node:util';
import type { FunctionConfiguration, UpdateFunctionConfigurationRequest } from '@aws-sdk/client-lambda';
import type { LambdaSpec } from '../../api/lambda.ts';

export type ConfigAspect =
  | 'runtime' | 'handler' | 'description' | 'timeout' | 'memory' | 'environment' | 'layers' | 'VPC config'
  | 'dead-letter target' | 'ephemeral storage' | 'tracing' | 'KMS key' | 'file systems' | 'execution role' | 'SnapStart' | 'image config';

/** The configuration fields UpdateFunctionConfiguration takes, complete (every field set). */
export function desiredConfiguration(spec: LambdaSpec, roleArn: string): Omit<UpdateFunctionConfigurationRequest, 'FunctionName'> & { Role: string } {
  const image = spec.packageType === 'Image';
  return {
    Role: roleArn,
    ...(image ? {} : { Runtime: spec.runtime as never, Handler: spec.handler }),
    Description: spec.description ?? '',
    Timeout: spec.timeout ?? 3,
    MemorySize: spec.memorySize ?? 128,
    Environment: { Variables: spec.environment ?? spec.environmentVariables ?? {} },
    Layers: spec.layers ?? [],
    VpcConfig: {
      SubnetIds: spec.vpcConfig?.subnetIds ?? [],
      SecurityGroupIds: spec.vpcConfig?.securityGroupIds ?? [],
      ...(spec.vpcConfig?.ipv6AllowedForDualStack !== undefined ? { Ipv6AllowedForDualStack: spec.vpcConfig.ipv6AllowedForDualStack } : {}),
    },
    DeadLetterConfig: { TargetArn: spec.deadLetterConfig?.targetArn ?? '' },
    EphemeralStorage: { Size: spec.ephemeralStorage?.size ?? 512 },
    TracingConfig: { Mode: spec.tracingConfig?.mode ?? 'PassThrough' },
    KMSKeyArn: spec.kmsKeyArn ?? '',
    FileSystemConfigs: spec.fileSystemConfig ? [{ Arn: spec.fileSystemConfig.arn, LocalMountPath: spec.fileSystemConfig.localMountPath }] : [],
    SnapStart: { ApplyOn: spec.snapStart?.applyOn ?? 'None' },
    ...(image ? { ImageConfig: imageConfig(spec) } : {}),
  };
}

/** An image function's overrides, complete: an override the spec drops is cleared. */
function imageConfig(spec: LambdaSpec): { Command: string[]; EntryPoint: string[]; WorkingDirectory?: string } {
  const c = spec.imageConfig;
  return { Command: c?.command ?? [], EntryPoint: c?.entryPoint ?? [], ...(c?.workingDirectory ? { WorkingDirectory: c.workingDirectory } : {}) };
}

const sorted = (values: string[] | undefined) => [...(values ?? [])].sort();

/** The aspects of the configuration that differ. */
export function configurationDiff(desired: ReturnType<typeof desiredConfiguration>, actual: FunctionConfiguration): ConfigAspect[] {
  const diff: ConfigAspect[] = [];
  const differs = (aspect: ConfigAspect, a: unknown, b: unknown) => { if (!isDeepStrictEqual(a, b)) diff.push(aspect); };
  differs('execution role', desired.Role, actual.Role);
  if (desired.Runtime !== undefined) differs('runtime', desired.Runtime, actual.Runtime);
  if (desired.Handler !== undefined) differs('handler', desired.Handler, actual.Handler);
  differs('description', desired.Description, actual.Description ?? '');
  differs('timeout', desired.Timeout, actual.Timeout ?? 3);
  differs('memory', desired.MemorySize, actual.MemorySize ?? 128);
  differs('environment', desired.Environment?.Variables ?? {}, actual.Environment?.Variables ?? {});
  differs('layers', desired.Layers, (actual.Layers ?? []).map((l) => l.Arn));
  differs('VPC config',
    [sorted(desired.VpcConfig?.SubnetIds), sorted(desired.VpcConfig?.SecurityGroupIds), desired.VpcConfig?.Ipv6AllowedForDualStack ?? false],
    [sorted(actual.VpcConfig?.SubnetIds), sorted(actual.VpcConfig?.SecurityGroupIds), actual.VpcConfig?.Ipv6AllowedForDualStack ?? false]);
  differs('dead-letter target', desired.DeadLetterConfig?.TargetArn ?? '', actual.DeadLetterConfig?.TargetArn ?? '');
  differs('ephemeral storage', desired.EphemeralStorage?.Size, actual.EphemeralStorage?.Size ?? 512);
  differs('tracing', desired.TracingConfig?.Mode, actual.TracingConfig?.Mode ?? 'PassThrough');
  differs('KMS key', desired.KMSKeyArn ?? '', actual.KMSKeyArn ?? '');
  differs('file systems', desired.FileSystemConfigs?.map((f) => [f.Arn, f.LocalMountPath]) ?? [], (actual.FileSystemConfigs ?? []).map((f) => [f.Arn, f.LocalMountPath]));
  differs('SnapStart', desired.SnapStart?.ApplyOn ?? 'None', actual.SnapStart?.ApplyOn ?? 'None');
  if (desired.ImageConfig) {
    const a = actual.ImageConfigResponse?.ImageConfig;
    differs('image config', [desired.ImageConfig.Command ?? [], desired.ImageConfig.EntryPoint ?? [], desired.ImageConfig.WorkingDirectory ?? ''],
      [a?.Command ?? [], a?.EntryPoint ?? [], a?.WorkingDirectory ?? '']);
  }
  return diff;
}

/** The reserved concurrency the spec asks for (undefined: none). */
export function desiredReservedConcurrency(spec: LambdaSpec): number | undefined {
  return spec.reservedConcurrency ?? spec.reservedConcurrencyLimit;
}
