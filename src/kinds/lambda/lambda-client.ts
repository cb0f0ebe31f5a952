// The Lambda kind's external client: a function with its configuration, code, tags, reserved
// concurrency and resource-based policy. It compares each aspect and calls only the Lambda
// operations for those that differ, and respects Lambda's state machine: no configuration or
// code update while the function is Pending or the last update is InProgress, and never a
// configuration and a code update in the same pass.
import {
  AddPermissionCommand, CreateFunctionCommand, DeleteFunctionCodeSigningConfigCommand, DeleteFunctionCommand, DeleteFunctionConcurrencyCommand, GetFunctionCodeSigningConfigCommand,
  GetFunctionCommand, GetPolicyCommand, PutFunctionCodeSigningConfigCommand,
  ListVersionsByFunctionCommand, PublishVersionCommand, PutFunctionConcurrencyCommand, RemovePermissionCommand, TagResourceCommand, UntagResourceCommand, UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand, type FunctionConfiguration, type GetFunctionResponse, type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { AgentResource, IAMRoleResource, LambdaResource } from '../../api/kinds.ts';
import { LAMBDA_CODE_LABEL, type LambdaSpec, type LambdaStatus } from '../../api/lambda.ts';
import type { DeletionPolicy } from '../../api/metadata.ts';
import type { AwsEnvironment } from '../../aws/aws-environment.ts';
import { FULL_READ_EVERY } from '../../aws/account-snapshot.ts';
import type { FunctionSnapshot } from '../../aws/lambda/function-snapshot.ts';
import { allPages, classified, ignoreNotFound } from '../../aws/aws-errors.ts';
import { classifyLambdaError } from '../../aws/lambda/lambda-errors.ts';
import {
  agentPermission, anyAgentPermission, gatewayPermission, diffPermissions, parsePolicy, permissionsOf, UnsupportedStatement, type Permission, type PermissionDiff,
} from '../../aws/lambda/permissions.ts';
import type { TagChanges } from '../../aws/ownership.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import type { AccessVerdict, DeleteResult, ExternalClient, Observation, PassContext, UpdateResult } from '../../runtime/external-client.ts';
import { readyForGeneration } from '../../runtime/reconciler.ts';
import { accessVerdict } from '../../iam/access-check.ts';
import type { RoleDocumentsReader } from '../role-documents.ts';
import { lambdaCalls } from './lambda-access.ts';
import { analysePolicies, type AnalysedPolicy, type Finding } from '../../iam/findings.ts';
import { PlatformRules } from '../platform-rules.ts';
import { checkZipFile, environmentRefusal, runtimeRefusal } from './lambda-rules.ts';
import { agentUsesLambda, retainedAgentArns } from '../agent-lambda-link.ts';
import { readyRoleArn, type GeneratedRoles } from '../generated-roles.ts';
import { managedTagKeys, type OwnershipGuard } from '../ownership-guard.ts';
import { requireSameAccount, type TenancyPolicy } from '../tenancy-policy.ts';
import { codeMatches, desiredCode, functionCode, type DesiredCode } from './desired-code.ts';
import { executionRoleObjectName, executionRoleSpec, namedExecutionRole } from './execution-role.ts';
import { configurationDiff, desiredConfiguration, desiredReservedConcurrency, type ConfigAspect } from './function-config.ts';

/** What the Lambda client reads from the informers' caches. */
export interface LambdaLookups {
  iamRole(namespace: string, name: string): IAMRoleResource | undefined;
  /** A code ConfigMap the operator watches (it carries LAMBDA_CODE_LABEL). */
  configMap(namespace: string, name: string): V1ConfigMap | undefined;
  /** Whether a ConfigMap exists at all, watched or not (one GET: only when the cache misses). */
  configMapExists(namespace: string, name: string): Promise<boolean>;
  agents(namespace: string): AgentResource[];
}

/** The function the spec asks for, with its references resolved. */
export interface FunctionResolved {
  functionName: string;
  roleArn: string;
  code: DesiredCode;
  config: ReturnType<typeof desiredConfiguration>;
  concurrency: number | undefined;
  tags: Record<string, string>;
  permissions: Permission[];
}

type Aspect = ConfigAspect | 'code' | 'architectures' | 'reserved concurrency' | 'tags' | 'resource policy' | 'version' | 'code signing';

/** What differs, by the calls that fix it. */
export interface FunctionPlan {
  fn: FunctionConfiguration;
  configDiff: ConfigAspect[];
  codeDiffers: boolean;
  concurrencyDiffers: boolean;
  tags: TagChanges;
  permissions: PermissionDiff;
  /** With spec.publish: the newest version was not made from the code and configuration the spec asks for. */
  publish: boolean;
  /** The code signing configuration to link (a string), to unlink (null), or nothing to do (undefined). */
  codeSigning: string | null | undefined;
}

export function functionNameOf(obj: LambdaResource): string {
  return obj.spec.functionName ?? obj.metadata.name;
}

/** The configuration without the empty values that only mean "remove" in an update. */
function withoutEmpty(config: FunctionResolved['config']): FunctionResolved['config'] {
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

/** What GetFunction gave of a function found in sync, beyond its configuration, and since when. */
interface InSync {
  revisionId: string | undefined;
  tags: Record<string, string>;
  concurrency: GetFunctionResponse['Concurrency'];
  imageUri: string | undefined;
  /** With spec.publish: the newest version, current when that read found the function in sync. */
  version: string | undefined;
  /** The code signing configuration that read found linked ('' for none, undefined when not read). */
  codeSigningConfigArn: string | undefined;
  /** Resyncs compared from the listing since that read. */
  listedPasses: number;
}

export class LambdaExternalClient implements ExternalClient<LambdaSpec, LambdaStatus, FunctionResolved, FunctionPlan> {
  readonly #lambda: LambdaClient;
  readonly #aws: AwsEnvironment;
  readonly #lookups: LambdaLookups;
  readonly #roles: GeneratedRoles;
  readonly #ownership: OwnershipGuard;
  readonly #tenancy: TenancyPolicy;
  /** S3 code location last deployed, by object UID: S3 code without a declared hash has no other evidence. Forgotten on deletion. */
  readonly #deployedSource = new Map<string, string>();
  /** What the last full read of a function found in sync gave beyond its configuration, by object UID. Forgotten on deletion. */
  readonly #inSync = new Map<string, InSync>();
  readonly #snapshot: FunctionSnapshot | undefined;

  readonly #platform: PlatformRules;

  readonly #roleDocuments: RoleDocumentsReader | undefined;

  constructor(
    lambda: LambdaClient, aws: AwsEnvironment, lookups: LambdaLookups, roles: GeneratedRoles, ownership: OwnershipGuard, tenancy: TenancyPolicy,
    platform = new PlatformRules(), roleDocuments?: RoleDocumentsReader, snapshot?: FunctionSnapshot,
  ) {
    this.#snapshot = snapshot;
    this.#roleDocuments = roleDocuments;
    this.#lambda = lambda;
    this.#aws = aws;
    this.#lookups = lookups;
    this.#roles = roles;
    this.#ownership = ownership;
    this.#tenancy = tenancy;
    this.#platform = platform;
  }

  /** What Lambda would refuse in any call, and a runtime it no longer takes for a function not created yet. */
  #refuseWhatLambdaRefuses(obj: LambdaResource): void {
    const spec = obj.spec;
    this.#platform.requireTags(obj, spec.tags);
    const variables = spec.environment ?? spec.environmentVariables;
    const environment = variables && environmentRefusal(variables, spec.environment ? 'spec.environment' : 'spec.environmentVariables');
    if (environment) throw new TerminalError('InvalidEnvironment', environment);
    checkZipFile(spec.code?.zipFile);
    const runtime = obj.status?.arn ? undefined : runtimeRefusal(spec.runtime, true);
    if (runtime) throw new TerminalError('RuntimeNotSupported', runtime);
  }

  /** The findings of the resource policy the spec writes. */
  findings(obj: LambdaResource): Finding[] {
    return analysePolicies((obj.spec.resourcePolicy?.statements ?? []).map((statement, i): AnalysedPolicy => ({
      kind: 'resource', path: `spec.resourcePolicy.statements[${i}]`, document: { statement: [{ effect: 'Allow', ...statement }] }, // a Lambda permission always allows
    }))).map((f) => ({ ...f, path: f.path.replace(/^(spec\.resourcePolicy\.statements\[\d+\])\.statement\[0\]/, '$1') }));
  }

  /** The role (generated if the spec names none), the code, and the resource policy's statements. */
  async resolve(obj: LambdaResource): Promise<FunctionResolved> {
    const spec = obj.spec;
    const namespace = obj.metadata.namespace ?? 'default';
    const functionName = functionNameOf(obj);
    this.#refuseWhatLambdaRefuses(obj);
    const account = await this.#aws.account();
    const roleArn = await this.#roleArn(obj, functionName, account);
    if (!spec.code) throw new TerminalError('NoCode', 'spec.code is required');
    const configMapName = spec.code.configMap?.name;
    if (configMapName && !this.#lookups.configMap(namespace, configMapName) && await this.#lookups.configMapExists(namespace, configMapName)) {
      throw new TerminalError('ConfigMapNotLabelled',
        `ConfigMap ${namespace}/${configMapName} (spec.code.configMap) lacks the label ${LAMBDA_CODE_LABEL}, so the operator does not watch it: run kubectl label configmap -n ${namespace} ${configMapName} ${LAMBDA_CODE_LABEL}=true`);
    }
    return {
      functionName,
      roleArn,
      code: desiredCode(spec.code, namespace, (name) => this.#lookups.configMap(namespace, name)),
      config: desiredConfiguration(spec, roleArn),
      concurrency: desiredReservedConcurrency(spec),
      tags: this.#ownership.desiredTags(obj, spec.tags),
      permissions: this.#desiredPermissions(obj, account),
    };
  }

  /** Whether Lambda may assume the role, and each Agent that calls the function may invoke it (advice: AccessCheck). */
  async checkAccess(obj: LambdaResource, resolved: FunctionResolved): Promise<AccessVerdict | undefined> {
    if (!this.#roleDocuments) return undefined;
    const namespace = obj.metadata.namespace ?? 'default';
    const spec = obj.spec;
    const named = namedExecutionRole(spec);
    const objectName = named ? (named.value.startsWith('arn:') ? undefined : named.value) : !spec.roleArn ? executionRoleObjectName(obj.metadata.name) : undefined;
    const role = objectName ? this.#lookups.iamRole(namespace, objectName) : undefined;
    const documents = await this.#roleDocuments.forRole(role, resolved.roleArn, this.#tenancy.permissionsBoundary);
    const callers = this.#lookups.agents(namespace).filter((a) => !a.metadata.deletionTimestamp && agentUsesLambda(a, obj.metadata.name, obj.status?.arn));
    const { partition, region } = this.#aws;
    return accessVerdict(lambdaCalls(resolved.functionName, documents, resolved.permissions, callers, { partition, region, account: await this.#aws.account() }));
  }

  async observe(obj: LambdaResource, desired: FunctionResolved, ctx?: PassContext): Promise<Observation<LambdaStatus, FunctionPlan>> {
    const { functionName } = desired;
    const uid = obj.metadata.uid ?? '';
    // Only a drift check (the object Ready for its spec) may answer from the account's listing.
    const read = await this.#read(uid, functionName, ctx?.driftCheck ?? readyForGeneration(obj));
    if (!read) return { exists: false, status: { functionName } };
    const { found, listed } = read;
    const blocked = this.#ownership.conflict(obj, `Lambda function ${functionName}`, found.Tags ?? {}, 'spec.functionName');
    if (blocked) return { exists: true, status: { functionName }, blocked };
    const fn = found.Configuration!;
    const spec = obj.spec;
    if ((fn.PackageType ?? 'Zip') !== (spec.packageType ?? 'Zip')) {
      throw new TerminalError('PackageTypeImmutable', `the function's package type is ${fn.PackageType} in AWS and Lambda cannot change it: set spec.packageType to ${fn.PackageType}, or delete the function to have it created again`);
    }
    const previous = obj.status ?? {};
    const deployed = { sha256: fn.CodeSha256, imageUri: found.Code?.ImageUri, source: this.#deployedSource.get(obj.metadata.uid ?? '') ?? previous.codeSource };
    const codeDiffers = !codeMatches(desired.code, deployed);
    const architecturesDiffer = (fn.Architectures ?? ['x86_64']).join() !== (spec.architectures ?? ['x86_64']).join();
    const configDiff = configurationDiff(desired.config, fn);
    const concurrencyDiffers = desired.concurrency !== found.Concurrency?.ReservedConcurrentExecutions;
    const tags = this.#ownership.tagChanges(obj, spec.tags, found.Tags ?? {}, previous.managedTagKeys);
    const actualPermissions = await this.#permissions(functionName);
    const permissions = diffPermissions(desired.permissions, actualPermissions);

    // With spec.publish, the newest version must be made from $LATEST as the spec has it; only a
    // full read looks (the listing's $LATEST did not move since one found it current).
    const published = spec.publish && !listed ? await this.#newestVersion(functionName) : undefined;
    const memo = this.#inSync.get(uid);
    const versionCurrent = !spec.publish || listed || (published !== undefined && published.CodeSha256 === fn.CodeSha256
      && (published.Architectures ?? ['x86_64']).join() === (fn.Architectures ?? ['x86_64']).join() && configurationDiff(desired.config, published).length === 0);
    const version = spec.publish ? (listed ? memo?.version : published?.Version) : undefined;
    // The link to a code signing configuration is read when the spec names one or the operator set
    // one (status): GetFunction does not tell, and every other function would pay a read for it.
    const wantsSigning = spec.codeSigningConfigArn ?? '';
    const readSigning = !listed && (wantsSigning !== '' || Boolean(previous.codeSigningConfigArn));
    const signing = readSigning ? await this.#codeSigningConfig(functionName) : listed ? memo?.codeSigningConfigArn : undefined;
    const codeSigning = signing === undefined || signing === wantsSigning ? undefined : wantsSigning || null;

    const diff: Aspect[] = [...configDiff];
    if (!versionCurrent) diff.push('version');
    if (codeSigning !== undefined) diff.push('code signing');
    if (codeDiffers) diff.push('code');
    if (architecturesDiffer) diff.push('architectures');
    if (concurrencyDiffers) diff.push('reserved concurrency');
    if (tags.any) diff.push('tags');
    if (permissions.put.length > 0 || permissions.remove.length > 0) diff.push('resource policy');
    if (diff.length > 0) {
      this.#inSync.delete(uid);
      // A difference is confirmed, and acted on, with what GetFunction says (State, LastUpdateStatus).
      if (listed) return this.observe(obj, desired);
    } else if (!listed) {
      this.#inSync.set(uid, { revisionId: fn.RevisionId, tags: found.Tags ?? {}, concurrency: found.Concurrency, imageUri: found.Code?.ImageUri, version, codeSigningConfigArn: signing, listedPasses: 0 });
    }
    return {
      exists: true,
      status: {
        functionName, arn: fn.FunctionArn, roleArn: fn.Role, codeSha256: fn.CodeSha256,
        codeSource: codeDiffers ? previous.codeSource : desired.code.source,
        policyStatementIds: actualPermissions.map((p) => p.statementId).sort(),
        managedTagKeys: managedTagKeys(spec.tags),
        version,
        codeSigningConfigArn: signing === undefined ? previous.codeSigningConfigArn : signing || undefined,
      },
      diff,
      plan: { fn, configDiff, codeDiffers: codeDiffers || architecturesDiffer, concurrencyDiffers, tags, permissions, publish: !versionCurrent, codeSigning },
    };
  }

  async create(obj: LambdaResource, desired: FunctionResolved): Promise<void> {
    const runtime = runtimeRefusal(obj.spec.runtime, true);
    if (runtime) throw new TerminalError('RuntimeNotSupported', runtime);
    await this.#writing(desired.functionName, () => this.#call(this.#lambda.send(new CreateFunctionCommand({
      FunctionName: desired.functionName,
      ...withoutEmpty(desired.config),
      PackageType: obj.spec.packageType ?? 'Zip',
      Code: functionCode(desired.code),
      Architectures: obj.spec.architectures ?? ['x86_64'],
      ...(obj.spec.codeSigningConfigArn ? { CodeSigningConfigArn: obj.spec.codeSigningConfigArn } : {}),
      // The ownership tags go with the create call, so a function never exists without them.
      Tags: desired.tags,
    }))));
    this.#deployedSource.set(obj.metadata.uid ?? '', desired.code.source);
    // Reserved concurrency and permissions follow on the next pass, once the function is found.
  }

  /** Tags, concurrency and permissions, which do not wait for Lambda's state machine; then configuration or code. */
  async update(obj: LambdaResource, desired: FunctionResolved, plan: FunctionPlan): Promise<UpdateResult> {
    // Each step says whether it wrote; they run in this order, every one of them each pass.
    const wrote = await this.#writing(desired.functionName, async () => [
      await this.#tags(plan),
      await this.#codeSigning(desired, plan),
      await this.#concurrency(desired, plan),
      await this.#resourcePolicy(desired, plan),
      await this.#configurationOrCode(obj, desired, plan) || await this.#publish(desired, plan),
    ]);
    return { wrote: wrote.includes(true) };
  }

  async #tags({ fn, tags }: FunctionPlan): Promise<boolean> {
    if (Object.keys(tags.set).length > 0) await this.#call(this.#lambda.send(new TagResourceCommand({ Resource: fn.FunctionArn, Tags: tags.set })));
    if (tags.remove.length > 0) await this.#call(this.#lambda.send(new UntagResourceCommand({ Resource: fn.FunctionArn, TagKeys: tags.remove })));
    return tags.any;
  }

  async #concurrency({ functionName: FunctionName, concurrency }: FunctionResolved, plan: FunctionPlan): Promise<boolean> {
    if (!plan.concurrencyDiffers) return false;
    if (concurrency === undefined) await this.#call(this.#lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName })));
    else await this.#call(this.#lambda.send(new PutFunctionConcurrencyCommand({ FunctionName, ReservedConcurrentExecutions: concurrency })));
    return true;
  }

  /** There is no update call for a statement: a changed one is removed, then added again. */
  async #resourcePolicy({ functionName: FunctionName }: FunctionResolved, { permissions }: FunctionPlan): Promise<boolean> {
    for (const StatementId of permissions.remove) {
      await this.#call(ignoreNotFound(this.#lambda.send(new RemovePermissionCommand({ FunctionName, StatementId }))));
    }
    for (const p of permissions.put) {
      await this.#call(this.#lambda.send(new AddPermissionCommand({
        FunctionName, StatementId: p.statementId, Action: p.action, Principal: p.principal,
        SourceArn: p.sourceArn, SourceAccount: p.sourceAccount, PrincipalOrgID: p.principalOrgId, FunctionUrlAuthType: p.functionUrlAuthType as never,
      })));
    }
    return permissions.remove.length > 0 || permissions.put.length > 0;
  }

  /** One of configuration and code per pass: the next pass finds the function busy until this one is done. */
  async #configurationOrCode(obj: LambdaResource, desired: FunctionResolved, { fn, configDiff, codeDiffers }: FunctionPlan): Promise<boolean> {
    const FunctionName = desired.functionName;
    if (configDiff.length === 0 && !codeDiffers) return false;
    const runtime = runtimeRefusal(obj.spec.runtime, false);
    if (runtime) throw new TerminalError('RuntimeNotSupported', runtime);
    if (fn.State === 'Pending' || fn.LastUpdateStatus === 'InProgress') {
      throw new WaitingError('UpdateInProgress', `Lambda is still applying the previous change to ${FunctionName} (State ${fn.State}, LastUpdateStatus ${fn.LastUpdateStatus}); the next change follows once it is done`, 'settling');
    }
    if (configDiff.length > 0) {
      await this.#call(this.#lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName, ...desired.config })));
    } else {
      await this.#call(this.#lambda.send(new UpdateFunctionCodeCommand({ FunctionName, ...functionCode(desired.code), Architectures: obj.spec.architectures ?? ['x86_64'] })));
      this.#deployedSource.set(obj.metadata.uid ?? '', desired.code.source);
    }
    return true;
  }

  /**
   * With spec.publish, once code and configuration are as the spec asks: a version of $LATEST as
   * read (CodeSha256 and RevisionId guard against publishing anything else). Lambda answers with
   * the newest version instead when nothing changed since it was made.
   */
  async #publish({ functionName: FunctionName }: FunctionResolved, { fn, configDiff, codeDiffers, publish }: FunctionPlan): Promise<boolean> {
    if (!publish || configDiff.length > 0 || codeDiffers) return false;
    if (fn.State === 'Pending' || fn.LastUpdateStatus === 'InProgress') {
      throw new WaitingError('UpdateInProgress', `Lambda is still applying the last change to ${FunctionName} (State ${fn.State}, LastUpdateStatus ${fn.LastUpdateStatus}); its version is published once it is done`, 'settling');
    }
    await this.#call(this.#lambda.send(new PublishVersionCommand({ FunctionName, CodeSha256: fn.CodeSha256, RevisionId: fn.RevisionId })));
    return true;
  }

  /** Links the function to the spec's code signing configuration, or unlinks the one the operator set. */
  async #codeSigning({ functionName: FunctionName }: FunctionResolved, { codeSigning }: FunctionPlan): Promise<boolean> {
    if (codeSigning === undefined) return false;
    if (codeSigning === null) await this.#call(ignoreNotFound(this.#lambda.send(new DeleteFunctionCodeSigningConfigCommand({ FunctionName }))));
    else await this.#call(this.#lambda.send(new PutFunctionCodeSigningConfigCommand({ FunctionName, CodeSigningConfigArn: codeSigning })));
    return true;
  }

  /** The code signing configuration the function is linked to, '' when none. */
  async #codeSigningConfig(FunctionName: string): Promise<string> {
    return (await this.#call(this.#lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName })))).CodeSigningConfigArn ?? '';
  }

  /** The newest published version's configuration, or undefined when there is none. */
  async #newestVersion(FunctionName: string): Promise<FunctionConfiguration | undefined> {
    const versions = await allPages((Marker) => this.#call(this.#lambda.send(new ListVersionsByFunctionCommand({ FunctionName, Marker })))
      .then((page) => ({ items: page.Versions ?? [], next: page.NextMarker })));
    return versions.filter((v) => v.Version !== '$LATEST').sort((a, b) => Number(a.Version) - Number(b.Version)).at(-1);
  }

  async delete(obj: LambdaResource): Promise<DeleteResult> {
    const FunctionName = functionNameOf(obj);
    const found = await this.#getFunction(FunctionName);
    if (!found || this.#ownership.conflict(obj, `Lambda function ${FunctionName}`, found.Tags ?? {}, 'spec.functionName')) return { wrote: false, remaining: false };
    await this.#writing(FunctionName, () => this.#call(ignoreNotFound(this.#lambda.send(new DeleteFunctionCommand({ FunctionName })))));
    return { wrote: true, remaining: false };
  }

  async finalize(obj: LambdaResource, policy: DeletionPolicy): Promise<void> {
    this.#deployedSource.delete(obj.metadata.uid ?? '');
    this.#inSync.delete(obj.metadata.uid ?? '');
    if (!namedExecutionRole(obj.spec) && !obj.spec.roleArn) await this.#roles.release(obj, executionRoleObjectName(obj.metadata.name), policy);
  }

  async #roleArn(obj: LambdaResource, functionName: string, account: string): Promise<string> {
    const spec = obj.spec;
    const namespace = obj.metadata.namespace ?? 'default';
    if (spec.roleArn) return requireSameAccount(this.#tenancy.externalRole(spec.roleArn, 'spec.roleArn'), account, 'spec.roleArn');
    const named = namedExecutionRole(spec);
    if (named?.value.startsWith('arn:')) return requireSameAccount(this.#tenancy.externalRole(named.value, named.field), account, named.field);
    if (named) return readyRoleArn(this.#lookups.iamRole(namespace, named.value), namespace, named.value, named.field);
    const name = executionRoleObjectName(obj.metadata.name);
    const { partition, region } = this.#aws;
    const role = await this.#roles.ensure(obj, name, executionRoleSpec(functionName, spec, { partition, region, account }));
    return readyRoleArn(role, namespace, name, 'the generated execution role');
  }

  #desiredPermissions(obj: LambdaResource, account: string): Permission[] {
    const spec = obj.spec;
    const namespace = obj.metadata.namespace ?? 'default';
    const permissions: Permission[] = [];
    try {
      (spec.resourcePolicy?.statements ?? []).forEach((s, i) => permissions.push(...permissionsOf(s, `spec.resourcePolicy.statements[${i}]`)));
    } catch (error) {
      if (error instanceof UnsupportedStatement) throw new TerminalError('UnsupportedStatement', error.message);
      throw error;
    }
    if (spec.resourcePolicy?.allowBedrockAgents) permissions.push(anyAgentPermission(this.#aws.partition, this.#aws.region, account));
    // Retained callers: Bedrock agents by their ARN, AgentCore gateways by their role's.
    for (const arn of retainedAgentArns(obj)) permissions.push(isRoleArn(arn) ? gatewayPermission(arn) : agentPermission(arn, account));
    const ownArn = obj.status?.arn;
    for (const agent of this.#lookups.agents(namespace)) {
      if (agent.metadata.deletionTimestamp || !agentUsesLambda(agent, obj.metadata.name, ownArn)) continue;
      const agentArn = agent.status?.agentArn;
      if (agentArn && !permissions.some((p) => p.sourceArn === agentArn)) permissions.push(agentPermission(agentArn, account));
      // An Agent on AgentCore calls the function through its gateway, with the gateway's role.
      const gatewayRoleArn = agent.status?.agentCore?.gatewayArn ? agent.status.agentCore.gatewayRoleArn : undefined;
      if (gatewayRoleArn && !permissions.some((p) => p.principal === gatewayRoleArn)) permissions.push(gatewayPermission(gatewayRoleArn));
    }
    const seen = new Set<string>();
    for (const p of permissions) {
      if (seen.has(p.statementId)) throw new TerminalError('DuplicateStatementId', `statement ID ${p.statementId} is used twice in the resource policy; give the statements distinct sids`);
      seen.add(p.statementId);
    }
    return permissions;
  }

  /**
   * GetFunction; or, while the function's RevisionId in the account's listing is the one it had when
   * last found in sync, the listed configuration with what that read gave of the rest (tags,
   * reserved concurrency, image): the listing shows every change but reserved concurrency, which a
   * full read every FULL_READ_EVERY resyncs catches. A change reads the function itself, so that it
   * never waits for a load of every function of the account.
   */
  async #read(uid: string, functionName: string, driftCheck: boolean): Promise<{ found: GetFunctionResponse; listed: boolean } | undefined> {
    const memo = this.#inSync.get(uid);
    if (this.#snapshot && driftCheck && memo && memo.listedPasses < FULL_READ_EVERY) {
      const listed = await this.#call(this.#snapshot.view(functionName));
      if (typeof listed === 'object' && listed.RevisionId !== undefined && listed.RevisionId === memo.revisionId) {
        memo.listedPasses += 1;
        return {
          found: { Configuration: listed, Tags: memo.tags, ...(memo.concurrency ? { Concurrency: memo.concurrency } : {}), ...(memo.imageUri ? { Code: { ImageUri: memo.imageUri } } : {}) },
          listed: true,
        };
      }
    }
    const full = await this.#getFunction(functionName);
    return full && { found: full, listed: false };
  }

  /** Writes to the function, which the account's snapshot then no longer answers for (account-snapshot.ts). */
  #writing<T>(functionName: string, write: () => Promise<T>): Promise<T> {
    return this.#snapshot ? this.#snapshot.writing(functionName, write) : write();
  }

  async #getFunction(FunctionName: string): Promise<GetFunctionResponse | undefined> {
    const found = await this.#call(ignoreNotFound(this.#lambda.send(new GetFunctionCommand({ FunctionName }))));
    // Without lambda:ListTags, GetFunction answers without Tags and says why in TagsError: the
    // function would look like someone else's. Say so instead, and retry.
    if (found?.TagsError) {
      throw new Error(`Lambda returned ${FunctionName} without its tags, so the operator cannot tell whose it is: ${found.TagsError.ErrorCode}: ${found.TagsError.Message}`);
    }
    return found;
  }

  /** The function's statements; a function without a resource-based policy has none. */
  async #permissions(FunctionName: string): Promise<Permission[]> {
    const policy = await this.#call(ignoreNotFound(this.#lambda.send(new GetPolicyCommand({ FunctionName }))));
    return policy ? parsePolicy(policy.Policy) : [];
  }

  #call<T>(call: Promise<T>): Promise<T> {
    return classified(call, classifyLambdaError);
  }
}

function isRoleArn(arn: string): boolean {
  return /^arn:aws[a-z-]*:iam::\d{12}:role\//.test(arn);
}
