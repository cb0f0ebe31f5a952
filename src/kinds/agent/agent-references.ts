// What an Agent's spec names in Kubernetes or AWS, resolved the same way on both runtimes: the
// role it runs as (an ARN, an IAMRole of its namespace, or none: then the runtime generates one)
// and the Lambdas its action groups call (Ready, with an ARN, or the Agent waits).
import type { AgentSpec } from '../../api/agent.ts';
import type { AgentResource } from '../../api/kinds.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import { readyRoleArn } from '../generated-roles.ts';
import { requireSameAccount, type TenancyPolicy } from '../tenancy-policy.ts';
import type { AgentLookups } from './agent-client.ts';
import { referenceName } from '../../api/common.ts';

type Executor = NonNullable<NonNullable<AgentSpec['actionGroups']>[number]['actionGroupExecutor']>;

/**
 * The role the spec names, or undefined when the runtime should generate one; refuses autoCreate
 * false without a role, and a role ARN the tenancy rules or the account do not allow.
 */
export function namedRoleArn(obj: AgentResource, tenancy: TenancyPolicy, account: string, lookups: AgentLookups): string | undefined {
  const spec = obj.spec;
  const namespace = obj.metadata.namespace ?? 'default';
  const role = spec.iamRole;
  if (typeof role === 'string' && role.startsWith('arn:')) return requireSameAccount(tenancy.externalRole(role, 'spec.iamRole'), account, 'spec.iamRole');
  if (typeof role === 'object' && role.roleArn) return requireSameAccount(tenancy.externalRole(role.roleArn, 'spec.iamRole.roleArn'), account, 'spec.iamRole.roleArn');
  const named = namedIAMRole(spec);
  if (named) return readyRoleArn(lookups.iamRole(namespace, named.name), namespace, named.name, named.field);
  if (typeof role === 'object' && role.autoCreate === false) {
    throw new TerminalError('NoRole', 'spec.iamRole.autoCreate is false and the spec names no role: set spec.iamRole.roleName (an IAMRole of this namespace) or roleArn, or drop autoCreate to have the operator generate one');
  }
  return undefined;
}

/** The IAMRole object of the namespace the Agent runs as, if it names one (a role ARN takes precedence). */
export function namedIAMRole(spec: AgentSpec): { name: string; field: string } | undefined {
  const role = spec.iamRole;
  if (typeof role === 'string') return role.startsWith('arn:') ? undefined : { name: role, field: 'spec.iamRole' };
  if (!role?.roleName || role.roleArn) return undefined;
  return { name: typeof role.roleName === 'string' ? role.roleName : role.roleName.ref, field: 'spec.iamRole.roleName' };
}

/** Whether the Agent uses a generated role (no role named or given). */
export function generatesRole(spec: AgentSpec): boolean {
  const role = spec.iamRole;
  return role === undefined || (typeof role === 'object' && !role.roleArn && !role.roleName && role.autoCreate !== false);
}

/** The ARN of an action group's Lambda: given, or of a Lambda object of the namespace once it is Ready. */
export function executorLambdaArn(lookups: Pick<AgentLookups, 'lambda'>, namespace: string, executor: Executor, waitsFor: string): string {
  if (executor.lambdaArn) return executor.lambdaArn;
  return readyLambdaArn(lookups, namespace, referenceName(executor.lambda!), 'an action group\'s executor', waitsFor);
}

/** The ARN of the Lambda object `name` of the namespace once it is Ready; `what` says what uses it, `waitsFor` what waits. */
export function readyLambdaArn(lookups: Pick<AgentLookups, 'lambda'>, namespace: string, name: string, what: string, waitsFor: string): string {
  const lambda = lookups.lambda(namespace, name);
  const arn = lambda?.status?.arn;
  const ready = (lambda?.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  if (!lambda || !ready || !arn) {
    throw new WaitingError('WaitingForLambda', `Lambda ${namespace}/${name} (${what}) ${lambda ? 'is not Ready yet' : 'does not exist yet'}; ${waitsFor} once it is Ready`, 'dependency');
  }
  return arn;
}

/**
 * The spec with spec.guardrail.name (a Guardrail object of the namespace) replaced by that
 * guardrail's ID once it is Ready, so that the agent's guardrailConfiguration, its generated role
 * and the access check treat it as they treat spec.guardrail.identifier; waits while it is not.
 */
export function withNamedGuardrail(spec: AgentSpec, namespace: string, lookups: Pick<AgentLookups, 'guardrail'>): AgentSpec {
  const named = spec.guardrail?.name;
  if (!named) return spec;
  const name = referenceName(named);
  const guardrail = lookups.guardrail(namespace, name);
  const id = guardrail?.status?.guardrailId;
  const ready = (guardrail?.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  if (!guardrail || !ready || !id) {
    throw new WaitingError('WaitingForGuardrail',
      `Guardrail ${namespace}/${name} (spec.guardrail.name) ${guardrail ? 'is not Ready yet' : 'does not exist yet'}; the agent is given its guardrail once it is Ready`, 'dependency');
  }
  const { name: _, ...rest } = spec.guardrail!;
  return { ...spec, guardrail: { ...rest, identifier: id } };
}
