// The Lambda kind's external client: a function with its configuration, code, tags, reserved
// concurrency and resource-based policy. It compares each aspect and calls only the Lambda
// operations for those that differ, and respects Lambda's state machine: no configuration or
// code update while the function is Pending or the last update is InProgress, and never a
// configuration and a code update in the same pass.
import {
  AddPermissionCommand, CreateFunctionCommand, DeleteFunctionCommand, DeleteFunctionConcurrencyCommand, GetFunctionCommand, GetPolicyCommand,
  PutFunctionConcurrencyCommand, RemovePermissionCommand, TagResourceCommand, UntagResourceCommand, UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand, type FunctionConfiguration, type GetFunctionResponse, type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { AgentSpec, AgentStatus } from '../../api/agent.ts';
import { LAMBDA_CODE_LABEL, type LambdaSpec, type LambdaStatus } from '../../api/lambda.ts';
import type { AwsEnvironment } from '../../aws/aws-environment.ts';
import { awsErrorName } from '../../aws/iam/iam-errors.ts';
import { classifyLambdaError } from '../../aws/lambda/lambda-errors.ts';
import {
  agentPermission, anyAgentPermission, diffPermissions, parsePolicy, permissionsOf, UnsupportedStatement, type Permission, type PermissionDiff,
} from '../../aws/lambda/permissions.ts';
import { objectOwner, ownershipConflict, ownershipTagMap, tagChanges, type Owner, type TagChanges } from '../../aws/ownership.ts';
import type { TenancyPolicy } from '../tenancy-policy.ts';
import type { DeletionPolicy, ExternalClient, Observation } from '../../runtime/controller.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import type { AnyResource } from '../../runtime/kube-writes.ts';
import { readyRoleArn, type GeneratedRoles } from '../generated-roles.ts';
import { codeMatches, desiredCode, functionCode, type DesiredCode } from './desired-code.ts';
import { executionRoleObjectName, executionRoleSpec } from './execution-role.ts';
import { configurationDiff, desiredConfiguration, desiredReservedConcurrency, type ConfigAspect } from './function-config.ts';

/** What the Lambda client reads from the informers' caches. */
export interface LambdaLookups {
  iamRole(namespace: string, name: string): AnyResource | undefined;
  /** A code ConfigMap the operator watches (it carries LAMBDA_CODE_LABEL). */
  configMap(namespace: string, name: string): V1ConfigMap | undefined;
  /** Whether a ConfigMap exists at all, watched or not (one GET: only when the cache misses). */
  configMapExists(namespace: string, name: string): Promise<boolean>;
  agents(namespace: string): AnyResource[];
}

interface Desired {
  roleArn: string;
  code: DesiredCode;
  config: ReturnType<typeof desiredConfiguration>;
  concurrency: number | undefined;
  tags: Record<string, string>;
  permissions: Permission[];
}

type Aspect = ConfigAspect | 'code' | 'architectures' | 'reserved concurrency' | 'tags' | 'resource policy';

interface FunctionDetails {
  fn: FunctionConfiguration;
  desired: Desired;
  configDiff: ConfigAspect[];
  codeDiffers: boolean;
  concurrencyDiffers: boolean;
  tags: TagChanges;
  permissions: PermissionDiff;
}

export function functionNameOf(obj: AnyResource): string {
  return (obj.spec as LambdaSpec).functionName ?? obj.metadata.name;
}

/**
 * Agents deleted with deletion policy retain keep their statement in the Lambdas they called:
 * their ARNs, comma-separated, in this annotation of the Lambda (written by the Agent controller;
 * remove one to revoke that agent's access).
 */
export const RETAINED_AGENTS_ANNOTATION = 'bedrockforge.io/retained-agent-arns';

/** The ARNs the annotation lists. */
export function retainedAgentArns(lambda: AnyResource): string[] {
  return (lambda.metadata.annotations?.[RETAINED_AGENTS_ANNOTATION] ?? '').split(',').map((a) => a.trim()).filter(Boolean);
}

/** The configuration without the empty values that only mean "remove" in an update. */
function withoutEmpty(config: Desired['config']): Desired['config'] {
  const { KMSKeyArn, DeadLetterConfig, VpcConfig, FileSystemConfigs, Layers, ...rest } = config;
  return {
    ...rest,
    ...(KMSKeyArn ? { KMSKeyArn } : {}),
    ...(DeadLetterConfig?.TargetArn ? { DeadLetterConfig } : {}),
    ...(VpcConfig?.SubnetIds?.length ? { VpcConfig } : {}),
    ...(FileSystemConfigs?.length ? { FileSystemConfigs } : {}),
    ...(Layers?.length ? { Layers } : {}),
  };
}

/** Whether an Agent's action groups call the Lambda object `name` (or the function `arn`). */
export function agentUsesLambda(agent: AnyResource, name: string, arn?: string): boolean {
  return ((agent.spec as AgentSpec).actionGroups ?? []).some((g) =>
    g.actionGroupExecutor?.lambda === name || (arn !== undefined && g.actionGroupExecutor?.lambdaArn === arn));
}

export class LambdaFunctionClient implements ExternalClient {
  readonly #lambda: LambdaClient;
  readonly #aws: AwsEnvironment;
  readonly #cluster: string;
  readonly #lookups: LambdaLookups;
  readonly #roles: GeneratedRoles;
  readonly #tenancy: TenancyPolicy;
  /** S3 code location last deployed, by object UID: S3 code without a declared hash has no other evidence. */
  readonly #deployedSource = new Map<string, string>();

  constructor(lambda: LambdaClient, aws: AwsEnvironment, cluster: string, lookups: LambdaLookups, roles: GeneratedRoles, tenancy: TenancyPolicy) {
    this.#tenancy = tenancy;
    this.#lambda = lambda;
    this.#aws = aws;
    this.#cluster = cluster;
    this.#lookups = lookups;
    this.#roles = roles;
  }

  #owner(obj: AnyResource): Owner {
    return objectOwner(this.#cluster, obj);
  }

  async observe(obj: AnyResource): Promise<Observation> {
    const FunctionName = functionNameOf(obj);
    const found = await this.#getFunction(FunctionName);
    const status: Partial<LambdaStatus> = { functionName: FunctionName };
    if (!found) {
      if (!obj.metadata.deletionTimestamp) await this.#desired(obj); // waits for role and code before create()
      return { exists: false, upToDate: false, diff: [], status };
    }
    const fn = found.Configuration!;
    const me = this.#owner(obj);
    const tagList = Object.entries(found.Tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    const blocked = ownershipConflict(`Lambda function ${FunctionName}`, tagList, me, this.#tenancy.adoption(obj), `lambda -n ${me.namespace} ${me.name}`, 'spec.functionName');
    if (blocked) return { exists: true, upToDate: false, diff: [], status, blocked };
    Object.assign(status, { arn: fn.FunctionArn, roleArn: fn.Role, codeSha256: fn.CodeSha256 });
    if (obj.metadata.deletionTimestamp) return { exists: true, upToDate: true, diff: [], status };

    const desired = await this.#desired(obj);
    const spec = obj.spec as LambdaSpec;
    if ((fn.PackageType ?? 'Zip') !== (spec.packageType ?? 'Zip')) {
      throw new TerminalError('PackageTypeImmutable', `the function's package type is ${fn.PackageType} in AWS and Lambda cannot change it: set spec.packageType to ${fn.PackageType}, or delete the function to have it created again`);
    }
    const previous = (obj.status ?? {}) as Partial<LambdaStatus>;
    const deployed = { sha256: fn.CodeSha256, imageUri: found.Code?.ImageUri, source: this.#deployedSource.get(obj.metadata.uid ?? '') ?? previous.codeSource };
    const codeDiffers = !codeMatches(desired.code, deployed);
    const architectures = spec.architectures ?? ['x86_64'];
    const architecturesDiffer = (fn.Architectures ?? ['x86_64']).join() !== architectures.join();
    const configDiff = configurationDiff(desired.config, fn);
    const concurrencyDiffers = desired.concurrency !== found.Concurrency?.ReservedConcurrentExecutions;

    const tags = tagChanges(desired.tags, found.Tags ?? {}, previous.managedTagKeys);
    const actualPermissions = await this.#permissions(FunctionName);
    const permissions = diffPermissions(desired.permissions, actualPermissions);

    const diff: Aspect[] = [...configDiff];
    if (codeDiffers) diff.push('code');
    if (architecturesDiffer) diff.push('architectures');
    if (concurrencyDiffers) diff.push('reserved concurrency');
    if (tags.any) diff.push('tags');
    if (permissions.put.length > 0 || permissions.remove.length > 0) diff.push('resource policy');

    Object.assign(status, {
      codeSource: codeDiffers ? previous.codeSource : desired.code.source,
      policyStatementIds: actualPermissions.map((p) => p.statementId).sort(),
      managedTagKeys: Object.keys(spec.tags ?? {}).sort(),
    });
    const details: FunctionDetails = {
      fn, desired, configDiff, codeDiffers: codeDiffers || architecturesDiffer, concurrencyDiffers, tags, permissions,
    };
    return { exists: true, upToDate: diff.length === 0, diff, status, details };
  }

  async create(obj: AnyResource): Promise<void> {
    const spec = obj.spec as LambdaSpec;
    const FunctionName = functionNameOf(obj);
    const desired = await this.#desired(obj);
    await this.#call(() => this.#lambda.send(new CreateFunctionCommand({
      FunctionName,
      ...withoutEmpty(desired.config),
      PackageType: spec.packageType ?? 'Zip',
      Code: functionCode(desired.code),
      Architectures: spec.architectures ?? ['x86_64'],
      // The ownership tags go with the create call, so a function never exists without them.
      Tags: desired.tags,
    })));
    this.#deployedSource.set(obj.metadata.uid ?? '', desired.code.source);
    // Reserved concurrency and permissions follow on the next pass, once the function is found.
  }

  async update(obj: AnyResource, observation: Observation): Promise<void> {
    const FunctionName = functionNameOf(obj);
    const d = observation.details as FunctionDetails;
    // Tags, concurrency and permissions do not wait for Lambda's update state machine.
    if (Object.keys(d.tags.set).length > 0) await this.#call(() => this.#lambda.send(new TagResourceCommand({ Resource: d.fn.FunctionArn, Tags: d.tags.set })));
    if (d.tags.remove.length > 0) await this.#call(() => this.#lambda.send(new UntagResourceCommand({ Resource: d.fn.FunctionArn, TagKeys: d.tags.remove })));
    if (d.concurrencyDiffers) {
      const n = d.desired.concurrency;
      if (n === undefined) await this.#call(() => this.#lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName })));
      else await this.#call(() => this.#lambda.send(new PutFunctionConcurrencyCommand({ FunctionName, ReservedConcurrentExecutions: n })));
    }
    // There is no update call for a statement: a changed one is removed, then added again.
    for (const StatementId of d.permissions.remove) {
      await this.#call(() => this.#lambda.send(new RemovePermissionCommand({ FunctionName, StatementId })).catch((error: unknown) => {
        if (awsErrorName(error) !== 'ResourceNotFoundException') throw error;
      }));
    }
    for (const p of d.permissions.put) {
      await this.#call(() => this.#lambda.send(new AddPermissionCommand({
        FunctionName, StatementId: p.statementId, Action: p.action, Principal: p.principal,
        SourceArn: p.sourceArn, SourceAccount: p.sourceAccount, PrincipalOrgID: p.principalOrgId, FunctionUrlAuthType: p.functionUrlAuthType as never,
      })));
    }
    if (d.configDiff.length === 0 && !d.codeDiffers) return;
    if (d.fn.State === 'Pending' || d.fn.LastUpdateStatus === 'InProgress') {
      throw new WaitingError('UpdateInProgress', `Lambda is still applying the previous change to ${FunctionName} (State ${d.fn.State}, LastUpdateStatus ${d.fn.LastUpdateStatus}); the next change follows once it is done`, 1_000);
    }
    // One of the two per pass: the next pass finds the function busy until this one is done.
    if (d.configDiff.length > 0) {
      await this.#call(() => this.#lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName, ...d.desired.config })));
    } else {
      const spec = obj.spec as LambdaSpec;
      await this.#call(() => this.#lambda.send(new UpdateFunctionCodeCommand({
        FunctionName, ...functionCode(d.desired.code), Architectures: spec.architectures ?? ['x86_64'],
      })));
      this.#deployedSource.set(obj.metadata.uid ?? '', d.desired.code.source);
    }
  }

  async delete(obj: AnyResource): Promise<void> {
    await this.#call(() => this.#lambda.send(new DeleteFunctionCommand({ FunctionName: functionNameOf(obj) })).catch((error: unknown) => {
      if (awsErrorName(error) !== 'ResourceNotFoundException') throw error;
    }));
    this.#deployedSource.delete(obj.metadata.uid ?? '');
  }

  async finalize(obj: AnyResource, policy: DeletionPolicy): Promise<void> {
    const spec = obj.spec as LambdaSpec;
    if (!spec.iamRole && !spec.roleArn) await this.#roles.release(obj, executionRoleObjectName(obj.metadata.name), policy);
  }

  /** Everything the spec asks for, with references resolved; waits (throws) while one is not ready. */
  async #desired(obj: AnyResource): Promise<Desired> {
    const spec = obj.spec as LambdaSpec;
    const namespace = obj.metadata.namespace ?? 'default';
    const FunctionName = functionNameOf(obj);
    const account = await this.#aws.account();
    const roleArn = await this.#roleArn(obj, FunctionName, account);
    if (!spec.code) throw new TerminalError('NoCode', 'spec.code is required');
    const configMapName = spec.code.configMap?.name;
    if (configMapName && !this.#lookups.configMap(namespace, configMapName) && await this.#lookups.configMapExists(namespace, configMapName)) {
      throw new TerminalError('ConfigMapNotLabelled',
        `ConfigMap ${namespace}/${configMapName} (spec.code.configMap) lacks the label ${LAMBDA_CODE_LABEL}, so the operator does not watch it: run kubectl label configmap -n ${namespace} ${configMapName} ${LAMBDA_CODE_LABEL}=true`);
    }
    const code = desiredCode(spec.code, namespace, (name) => this.#lookups.configMap(namespace, name));
    return {
      roleArn,
      code,
      config: desiredConfiguration(spec, roleArn),
      concurrency: desiredReservedConcurrency(spec),
      tags: { ...(spec.tags ?? {}), ...ownershipTagMap(this.#owner(obj)) },
      permissions: this.#desiredPermissions(obj, account),
    };
  }

  async #roleArn(obj: AnyResource, functionName: string, account: string): Promise<string> {
    const spec = obj.spec as LambdaSpec;
    const namespace = obj.metadata.namespace ?? 'default';
    if (spec.roleArn) return this.#tenancy.externalRole(spec.roleArn, 'spec.roleArn');
    if (spec.iamRole?.startsWith('arn:')) return this.#tenancy.externalRole(spec.iamRole, 'spec.iamRole');
    if (spec.iamRole) return readyRoleArn(this.#lookups.iamRole(namespace, spec.iamRole), namespace, spec.iamRole, 'spec.iamRole');
    const name = executionRoleObjectName(obj.metadata.name);
    const { partition, region } = this.#aws;
    const role = await this.#roles.ensure(obj, name, executionRoleSpec(functionName, spec, { partition, region, account }));
    return readyRoleArn(role, namespace, name, 'the generated execution role');
  }

  #desiredPermissions(obj: AnyResource, account: string): Permission[] {
    const spec = obj.spec as LambdaSpec;
    const namespace = obj.metadata.namespace ?? 'default';
    const permissions: Permission[] = [];
    try {
      (spec.resourcePolicy?.statements ?? []).forEach((s, i) => permissions.push(...permissionsOf(s, `spec.resourcePolicy.statements[${i}]`)));
    } catch (error) {
      if (error instanceof UnsupportedStatement) throw new TerminalError('UnsupportedStatement', error.message);
      throw error;
    }
    if (spec.resourcePolicy?.allowBedrockAgents) permissions.push(anyAgentPermission(this.#aws.partition, this.#aws.region, account));
    for (const agentArn of retainedAgentArns(obj)) permissions.push(agentPermission(agentArn, account));
    const ownArn = (obj.status as Partial<LambdaStatus> | undefined)?.arn;
    for (const agent of this.#lookups.agents(namespace)) {
      const agentArn = (agent.status as Partial<AgentStatus> | undefined)?.agentArn;
      if (agentArn && !agent.metadata.deletionTimestamp && agentUsesLambda(agent, obj.metadata.name, ownArn) && !permissions.some((p) => p.sourceArn === agentArn)) {
        permissions.push(agentPermission(agentArn, account));
      }
    }
    const seen = new Set<string>();
    for (const p of permissions) {
      if (seen.has(p.statementId)) throw new TerminalError('DuplicateStatementId', `statement ID ${p.statementId} is used twice in the resource policy; give the statements distinct sids`);
      seen.add(p.statementId);
    }
    return permissions;
  }

  async #getFunction(FunctionName: string): Promise<GetFunctionResponse | undefined> {
    try {
      return await this.#lambda.send(new GetFunctionCommand({ FunctionName }));
    } catch (error) {
      if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
      throw classifyLambdaError(error);
    }
  }

  async #permissions(FunctionName: string): Promise<Permission[]> {
    try {
      return parsePolicy((await this.#lambda.send(new GetPolicyCommand({ FunctionName }))).Policy);
    } catch (error) {
      // A function without a resource-based policy.
      if (awsErrorName(error) === 'ResourceNotFoundException') return [];
      throw classifyLambdaError(error);
    }
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw classifyLambdaError(error);
    }
  }
}
