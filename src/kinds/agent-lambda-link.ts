// The link between Agents and the Lambdas their action groups call, which both kinds follow: the
// Lambda controller grants each calling agent a statement in the function's resource policy, the
// Agent controller waits for the Lambda and, when retained, records its ARN on the Lambda.
import type { AgentResource, LambdaResource } from '../api/kinds.ts';
import { RETAINED_AGENTS_ANNOTATION } from '../api/metadata.ts';
import { referenceName } from '../api/common.ts';

/** Whether an Agent's action groups call the Lambda object `name` (or the function `arn`). */
export function agentUsesLambda(agent: AgentResource, name: string, arn?: string): boolean {
  return (agent.spec.actionGroups ?? []).some((g) =>
    (g.actionGroupExecutor?.lambda !== undefined && referenceName(g.actionGroupExecutor.lambda) === name) || (arn !== undefined && g.actionGroupExecutor?.lambdaArn === arn));
}

/** The ARNs of retained agents that keep their statement in the Lambda's resource policy. */
export function retainedAgentArns(lambda: LambdaResource): string[] {
  return (lambda.metadata.annotations?.[RETAINED_AGENTS_ANNOTATION] ?? '').split(',').map((a) => a.trim()).filter(Boolean);
}

/** The annotations that add `agentArn` to the Lambda's retained agents, or undefined when it is there already. */
export function retainAgentOn(lambda: LambdaResource, agentArn: string): Record<string, string> | undefined {
  const arns = retainedAgentArns(lambda);
  return arns.includes(agentArn) ? undefined : { [RETAINED_AGENTS_ANNOTATION]: [...arns, agentArn].join(',') };
}
