// From one API call to what IAM authorizes for it: the action (`prefix:Operation`), the resource
// ARN built from the catalogue's ARN format of the action's resource types, the condition keys
// the request carries, and the further authorizations AWS makes for the same call (PassRole of the
// role it passes, the tagging action when a create carries tags, the S3 object of Lambda code,
// lambda:ListTags for GetFunction's tags, the AgentCore Runtime and Memory behind a harness).
import { randomInt } from 'node:crypto';
import type { AccessRequest, RequestContext, RequestPrincipal } from '../../../../src/iam/evaluator/types.ts';
import { catalogueAction, type CatalogueAction, type CatalogueResourceType as ResourceTypeRef } from '../../../../src/iam/catalogue.ts';
import type { MatchedOperation } from './service-models.ts';

/** What a role looks like in the emulated account right now. */
export interface RoleInfo { arn: string; path: string; permissionsBoundary: string | null }

export interface AuthorizationEnv {
  principal: Extract<RequestPrincipal, { type: 'AWS' }>;
  account: string;
  region: string;
  /** The role of that name in the emulated account, or undefined when there is none. */
  role(name: string): Promise<RoleInfo | undefined>;
}

/**
 * One authorization of a call. `onDeny` is what AWS does when it fails: refuse the call with
 * AccessDenied (`refuse`), answer without the data it guards (`omit-tags`: GetFunction without
 * lambda:ListTags returns no Tags), or refuse it as the service reports a failed read of the
 * caller's S3 object (`s3-code`: Lambda's InvalidParameterValueException).
 */
export interface Check {
  request: AccessRequest;
  onDeny: 'refuse' | 'omit-tags' | 's3-code';
}

/**
 * Calls AWS answers whatever the caller's policies say: "No permissions are required to perform
 * this operation", even under an explicit deny (STS API reference, GetCallerIdentity).
 */
const NEEDS_NO_PERMISSION = new Set(['sts:GetCallerIdentity']);

/** The service principal AgentCore takes roles as (harness execution roles, gateway service roles). */
const AGENTCORE_SERVICE = 'bedrock-agentcore.amazonaws.com';

/**
 * Request members that carry a variable of the catalogue's ARN formats under another name, by
 * IAM prefix. bedrock-agentcore-control names a gateway's ID `gatewayIdentifier` (the ARN format
 * says GatewayId) and a harness endpoint's name `endpointName` (the format says Name); the flow
 * operations of bedrock-agent name a flow `flowIdentifier` and its alias `aliasIdentifier`, the
 * prompt operations a prompt `promptIdentifier` and its version `promptVersion`, and bedrock's
 * guardrail operations a guardrail `guardrailIdentifier`.
 */
const MEMBER_OF_VARIABLE: Record<string, Record<string, string>> = {
  'bedrock-agentcore': { GatewayId: 'gatewayIdentifier', Name: 'endpointName' },
  // The flow operations take a flow's and an alias's ID (or ARN, which the operator never sends) as identifiers.
  // The prompt operations likewise take a prompt's ID and version (GetPrompt, DeletePrompt); the
  // guardrail operations of bedrock's control plane name a guardrail `guardrailIdentifier`.
  bedrock: { FlowId: 'flowIdentifier', FlowAliasId: 'aliasIdentifier', PromptId: 'promptIdentifier', PromptVersion: 'promptVersion', GuardrailId: 'guardrailIdentifier' },
};

/** The call could not be mapped to IAM: the front refuses it and says why, so the gap shows. */
export class UnmappedCall extends Error {}

/** The authorizations of a call, in the order AWS makes them; none for a call that needs no permission. */
export async function checksFor(call: MatchedOperation, env: AuthorizationEnv): Promise<Check[]> {
  const prefix = call.service.signingName;
  if (NEEDS_NO_PERMISSION.has(`${prefix}:${call.operation}`)) return [];
  const action = catalogueAction(`${prefix}:${call.operation}`);
  if (!action) throw new UnmappedCall(`IAM's catalogue has no action ${prefix}:${call.operation}`);
  const input = call.input;
  const roleName = typeof input.RoleName === 'string' ? input.RoleName : undefined;
  const role = roleName && action.resourceTypes.some((r) => r.name === 'role') ? await env.role(roleName) : undefined;
  const primary = resourcesOf(action, input, env, role);
  const checks: Check[] = primary.map((resource) => ({ request: request(env, action, resource, contextOf(action, input, env, role)), onDeny: 'refuse' }));

  const tags = tagsOf(input);
  const implied = (name: string, resource: string, context: RequestContext = {}, onDeny: Check['onDeny'] = 'refuse') => {
    const [impliedPrefix, impliedName] = name.split(':') as [string, string];
    const impliedAction = catalogueAction(`${impliedPrefix}:${impliedName}`);
    if (!impliedAction) throw new UnmappedCall(`IAM's catalogue has no action ${name}`);
    checks.push({ request: request(env, impliedAction, resource, { ...baseContext(env), ...context }), onDeny });
  };
  const tagContext = tags ? { ...requestTagContext(tags) } : {};
  const passRole = (arn: unknown, service: string) => {
    if (typeof arn === 'string' && arn) implied('iam:PassRole', arn, { 'iam:PassedToService': service });
  };
  const s3Code = (code: Record<string, unknown> | undefined) => {
    if (!code || typeof code.S3Bucket !== 'string' || typeof code.S3Key !== 'string') return;
    const versioned = typeof code.S3ObjectVersion === 'string' && code.S3ObjectVersion !== '';
    implied(versioned ? 's3:GetObjectVersion' : 's3:GetObject', `arn:aws:s3:::${code.S3Bucket}/${code.S3Key}`, {}, 's3-code');
  };
  const hasTags = tags !== undefined && Object.keys(tags).length > 0;
  const newId = () => Array.from({ length: 10 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[randomInt(36)]).join('');
  const agentcoreArn = (resource: string) => `arn:aws:bedrock-agentcore:${env.region}:${env.account}:${resource}`;
  // What AgentCore makes for a harness, on which the Runtime and Memory actions of harness calls
  // (below) are authorized: IAM's catalogue gives those actions the runtime and memory resource
  // types. (AWS's page says "most actions use the harness ARN as the resource scope", which a
  // third party measured for InvokeAgentRuntime; for the control-plane actions it measured
  // runtime ARNs.) A harness ID is `<harnessName>-<10 characters>`; the runtime AWS makes
  // for it is named `harness_<harnessName>` with an ID of its own (third-party measurement, research
  // §3.6; the emulator names it so too), which the request does not carry: `*` stands for that
  // suffix, so only a policy allowing every runtime of the harness allows the check. The managed
  // memory is `memory/harness_<agentNameAbbrv>_*` in AWS's sample execution-role policy
  // (harness-security.html, research §3.1); the abbreviation is not documented, hence
  // `memory/harness_*`.
  const harnessNameOf = (harnessId: unknown) => String(harnessId).replace(/-[a-zA-Z0-9]{10}$/, '');
  const backingRuntime = (harnessId: unknown) => agentcoreArn(`runtime/harness_${harnessNameOf(harnessId)}-*`);
  const managedMemory = agentcoreArn('memory/harness_*');

  switch (action.action) {
    case 'iam:CreateRole':
      if (hasTags) implied('iam:TagRole', primary[0]!, tagContext);
      break;
    case 'lambda:GetFunction':
      implied('lambda:ListTags', primary[0]!, {}, 'omit-tags');
      break;
    case 'lambda:CreateFunction':
      if (hasTags) implied('lambda:TagResource', primary[0]!, tagContext);
      passRole(input.Role, 'lambda.amazonaws.com');
      s3Code(input.Code as Record<string, unknown> | undefined);
      break;
    case 'lambda:UpdateFunctionConfiguration':
      passRole(input.Role, 'lambda.amazonaws.com');
      break;
    case 'lambda:UpdateFunctionCode':
      s3Code(input);
      break;
    case 'bedrock:CreateAgent':
      // The agent's ID is made by Bedrock as it creates it: the tags are authorized on that ARN.
      if (hasTags) implied('bedrock:TagResource', `arn:aws:bedrock:${env.region}:${env.account}:agent/${newId()}`, tagContext);
      passRole(input.agentResourceRoleArn, 'bedrock.amazonaws.com');
      break;
    case 'bedrock:UpdateAgent':
      passRole(input.agentResourceRoleArn, 'bedrock.amazonaws.com');
      break;
    case 'bedrock:CreateFlow':
      // As for agents: the flow's ID is made by Bedrock, and the tags are authorized on that ARN.
      if (hasTags) implied('bedrock:TagResource', `arn:aws:bedrock:${env.region}:${env.account}:flow/${newId()}`, tagContext);
      passRole(input.executionRoleArn, 'bedrock.amazonaws.com');
      break;
    case 'bedrock:UpdateFlow':
      passRole(input.executionRoleArn, 'bedrock.amazonaws.com');
      break;
    case 'bedrock:CreatePrompt':
      // As for agents and flows: the prompt's ID is made by Bedrock, and the tags are authorized on that ARN.
      if (hasTags) implied('bedrock:TagResource', `arn:aws:bedrock:${env.region}:${env.account}:prompt/${newId()}`, tagContext);
      break;
    case 'bedrock:CreateFlowAlias':
      if (hasTags) implied('bedrock:TagResource', `arn:aws:bedrock:${env.region}:${env.account}:flow/${String(input.flowIdentifier)}/alias/${newId()}`, tagContext);
      break;
    case 'bedrock:CreateGuardrail':
      // As for agents and flows: the guardrail's ID is made by Bedrock (12 lower-case letters and
      // digits), and the tags are authorized on that ARN.
      if (hasTags) implied('bedrock:TagResource', `arn:aws:bedrock:${env.region}:${env.account}:guardrail/${newId().toLowerCase()}ab`, tagContext);
      break;
    case 'bedrock:CreateAgentAlias':
      if (hasTags) implied('bedrock:TagResource', `arn:aws:bedrock:${env.region}:${env.account}:agent-alias/${String(input.agentId)}/${newId()}`, tagContext);
      break;
    // Harness calls: AWS's harness-security.html, "Required IAM permissions for callers" (research
    // §3.6), says each also needs the AgentCore Runtime action (and for the harness itself the
    // Memory action) of the same verb. IAM's catalogue lists no dependent actions for them.
    case 'bedrock-agentcore:CreateHarness':
      // The catalogue gives CreateAgentRuntime and CreateMemory no resource type: authorized on `*`.
      // The harness's tags go on its runtime: a third-party measurement (research §3.6) allowed
      // CreateAgentRuntime only under an aws:RequestTag condition, and so with the request's tags.
      implied('bedrock-agentcore:CreateAgentRuntime', '*', tagContext);
      // Listed unconditionally by AWS, even when the harness's memory is `disabled` or one of the caller's own.
      implied('bedrock-agentcore:CreateMemory', '*');
      // Tags at create: the harness's ARN is made by AgentCore (`<harnessName>-<10 characters>`).
      // The same third party grants TagResource (on `*`) beside a tagged CreateHarness.
      if (hasTags) implied('bedrock-agentcore:TagResource', agentcoreArn(`harness/${String(input.harnessName)}-${newId()}`), tagContext);
      // "A missing PassRole is the most common cause of a CreateHarness AccessDenied" (AWS's
      // agent-toolkit-for-aws, agentcore-harness.md; research §3.5).
      passRole(input.executionRoleArn, AGENTCORE_SERVICE);
      break;
    case 'bedrock-agentcore:UpdateHarness':
      implied('bedrock-agentcore:UpdateAgentRuntime', backingRuntime(input.harnessId));
      implied('bedrock-agentcore:UpdateMemory', managedMemory);
      passRole(input.executionRoleArn, AGENTCORE_SERVICE);
      break;
    case 'bedrock-agentcore:DeleteHarness':
      // Measured by the third party (research §3.6): DeleteAgentRuntime is authorized on the
      // literal `runtime/*` before the runtime is named.
      implied('bedrock-agentcore:DeleteAgentRuntime', agentcoreArn('runtime/*'));
      // Listed unconditionally by AWS, even with deleteManagedMemory=false.
      implied('bedrock-agentcore:DeleteMemory', managedMemory);
      break;
    case 'bedrock-agentcore:CreateHarnessEndpoint':
      // The catalogue: CreateAgentRuntimeEndpoint takes the runtime only (as CreateHarnessEndpoint
      // takes the harness only: the endpoint does not exist yet).
      implied('bedrock-agentcore:CreateAgentRuntimeEndpoint', backingRuntime(input.harnessId));
      // Tags at create, on the endpoint's ARN (the catalogue's TagResource lists no harness-endpoint
      // type: such tags can be set only here; research §3.5).
      if (hasTags) implied('bedrock-agentcore:TagResource', `${primary[0]!}/harness-endpoint/${String(input.endpointName)}`, tagContext);
      break;
    case 'bedrock-agentcore:UpdateHarnessEndpoint':
    case 'bedrock-agentcore:DeleteHarnessEndpoint': {
      // The catalogue: runtime and runtime-endpoint, both required, as harness and harness-endpoint
      // for the harness action. That the runtime endpoint has the harness endpoint's name is inferred.
      const runtime = backingRuntime(input.harnessId);
      const name = action.name.replace('HarnessEndpoint', 'AgentRuntimeEndpoint');
      implied(`bedrock-agentcore:${name}`, runtime);
      implied(`bedrock-agentcore:${name}`, `${runtime}/runtime-endpoint/${String(input.endpointName)}`);
      break;
    }
    case 'bedrock-agentcore:CreateGateway':
      // Tags at create: a gateway's ID is its name in lower case and 10 characters (research §1.7).
      if (hasTags) implied('bedrock-agentcore:TagResource', agentcoreArn(`gateway/${String(input.name).toLowerCase()}-${newId().toLowerCase()}`), tagContext);
      // The gateway's service role (gateway-prerequisites-permissions.html, policy-permissions.html; research §3.5).
      passRole(input.roleArn, AGENTCORE_SERVICE);
      break;
    case 'bedrock-agentcore:UpdateGateway':
      // UpdateGateway is a PUT: roleArn is sent (required) every time.
      passRole(input.roleArn, AGENTCORE_SERVICE);
      break;
  }
  return checks;
}

function request(env: AuthorizationEnv, action: CatalogueAction, resource: string, context: RequestContext): AccessRequest {
  // Every resource of the test bed is in the one emulated account (S3 object ARNs name none).
  return { principal: env.principal, action: action.action, resource, resourceAccount: env.account, context };
}

function baseContext(env: AuthorizationEnv): RequestContext {
  const now = new Date();
  return {
    'aws:RequestedRegion': env.region,
    'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:SecureTransport': 'false',
  };
}

/** The condition keys of the call that the catalogue lists for its action. */
function contextOf(action: CatalogueAction, input: Record<string, unknown>, env: AuthorizationEnv, role: RoleInfo | undefined): RequestContext {
  const context = baseContext(env);
  const supports = (key: string) => action.conditionKeys.has(key.toLowerCase());
  const tags = tagsOf(input);
  if (tags && supports('aws:RequestTag/${TagKey}')) Object.assign(context, requestTagContext(tags));
  const tagKeys = tags ? Object.keys(tags) : tagKeysOf(input);
  if (tagKeys && supports('aws:TagKeys')) context['aws:TagKeys'] = tagKeys;
  if (supports('iam:PermissionsBoundary')) {
    // The boundary the call sets, else the one the role has now.
    const boundary = action.action === 'iam:CreateRole' || action.action === 'iam:PutRolePermissionsBoundary'
      ? input.PermissionsBoundary as string | undefined
      : role?.permissionsBoundary ?? undefined;
    if (boundary) context['iam:PermissionsBoundary'] = boundary;
  }
  if (supports('iam:PolicyARN') && typeof input.PolicyArn === 'string') context['iam:PolicyARN'] = input.PolicyArn;
  if (supports('lambda:Principal') && typeof input.Principal === 'string') context['lambda:Principal'] = input.Principal;
  if (supports('lambda:CodeSigningConfigArn') && typeof input.CodeSigningConfigArn === 'string') context['lambda:CodeSigningConfigArn'] = input.CodeSigningConfigArn;
  return context;
}

function requestTagContext(tags: Record<string, string>): RequestContext {
  return { ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), 'aws:TagKeys': Object.keys(tags) };
}

/** The tags a call sets: IAM's list of {Key, Value}, bedrock's control plane's of {key, value}, or Lambda's and Bedrock agents' map. */
function tagsOf(input: Record<string, unknown>): Record<string, string> | undefined {
  const value = Object.entries(input).find(([k]) => k.toLowerCase() === 'tags')?.[1];
  if (Array.isArray(value)) {
    return Object.fromEntries((value as Array<{ Key?: string; Value?: string; key?: string; value?: string }>).map((t) => [t.Key ?? t.key ?? '', t.Value ?? t.value ?? '']));
  }
  if (value && typeof value === 'object') return value as Record<string, string>;
  return undefined;
}

function tagKeysOf(input: Record<string, unknown>): string[] | undefined {
  const value = Object.entries(input).find(([k]) => k.toLowerCase() === 'tagkeys')?.[1];
  return Array.isArray(value) ? value.map(String) : undefined;
}

/**
 * The ARNs the action is authorized on: an ARN the call names as its resource (TagResource's
 * `Resource`, GetPolicy's `PolicyArn`), else each resource type's ARN format filled from the call's input; `*` for an
 * action that takes no resource type.
 */
function resourcesOf(action: CatalogueAction, input: Record<string, unknown>, env: AuthorizationEnv, role: RoleInfo | undefined): string[] {
  if (action.resourceTypes.length === 0) return ['*'];
  const named = Object.entries(input)
    // GetPolicy's PolicyArn is its resource; AttachRolePolicy's is not (its resource type is role).
    .filter(([k, v]) => /^(resource|resourcearn|arn|policyarn)$/i.test(k) && typeof v === 'string' && v.startsWith('arn:'))
    .map(([, v]) => v as string);
  const byArn = action.resourceTypes.flatMap((type) => named.filter((arn) => arnPattern(type).test(arn)));
  if (byArn.length > 0) return [...new Set(byArn)];
  const filled = action.resourceTypes.flatMap((type) => {
    const arn = fill(type, input, env, role, action);
    return arn ? [arn] : [];
  });
  if (filled.length > 0) return filled;
  if (action.resourceTypes.some((t) => t.required)) {
    throw new UnmappedCall(`cannot tell which ${action.resourceTypes.map((t) => t.name).join(' or ')} ${action.action} is for from the request`);
  }
  return ['*'];
}

function arnPattern(type: ResourceTypeRef): RegExp {
  const source = type.arnFormat.split(/(\$\{[^}]+\})/).map((part) => {
    const variable = /^\$\{([^}]+)\}$/.exec(part)?.[1];
    if (!variable) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (variable === 'Account') return '(?:\\d{12}|aws)';
    if (/WithPath$|^ObjectName$|^Key$/.test(variable)) return '.+';
    return '[^:/]+';
  }).join('');
  return new RegExp(`^${source}$`);
}

/** The type's ARN format with every variable taken from the call, or undefined if one is missing. */
function fill(type: ResourceTypeRef, input: Record<string, unknown>, env: AuthorizationEnv, role: RoleInfo | undefined, action: CatalogueAction): string | undefined {
  let missing = false;
  const arn = type.arnFormat.replace(/\$\{([^}]+)\}/g, (_, variable: string) => {
    const value = variableValue(variable, input, env, role, action);
    if (value === undefined || value === '') missing = true;
    return value ?? '';
  });
  return missing || !type.arnFormat ? undefined : arn;
}

function variableValue(variable: string, input: Record<string, unknown>, env: AuthorizationEnv, role: RoleInfo | undefined, action: CatalogueAction): string | undefined {
  if (variable === 'Partition') return 'aws';
  if (variable === 'Region') return env.region;
  if (variable === 'Account') return env.account;
  const member = (name: string) => {
    const value = Object.entries(input).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    return typeof value === 'string' ? value : undefined;
  };
  const withPath = /^(\w+Name)WithPath$/.exec(variable);
  if (withPath) {
    // IAM's ARNs carry the path: the one the create call gives, else the role's own.
    const name = member(withPath[1]!);
    if (name === undefined) return undefined;
    const path = action.action === 'iam:CreateRole' ? (member('Path') ?? '/') : (withPath[1] === 'RoleName' ? role?.path : undefined) ?? '/';
    return `${path.slice(1)}${name}`;
  }
  // A code signing configuration is named by its ARN; the catalogue's format takes its ID.
  if (variable === 'CodeSigningConfigId') return member('CodeSigningConfigArn')?.split(':').pop();
  const value = member(MEMBER_OF_VARIABLE[action.action.split(':')[0]!]?.[variable] ?? variable);
  // Lambda takes a function's name, ARN or partial ARN (123456789012:function:name), with or without a qualifier.
  if (variable === 'FunctionName' && value?.includes(':')) return /(?:^|:)function:([^:]+)/.exec(value)?.[1] ?? value.split(':')[0];
  return value;
}
