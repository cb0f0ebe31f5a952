// The objects the benchmark applies: IAMRoles with one inline policy, Lambdas with inline code and a
// generated execution role, and Agents (Classic runtime) with a generated service role, one action
// group on a Lambda (a functionSchema with one function) and an alias `live`, as in
// examples/complete/order-assistant.yaml.
import { API_VERSION } from '../../src/api/kinds.ts';
import type { Counts } from './options.ts';

export const NAMESPACE = 'default';

export type BenchKind = 'IAMRole' | 'Lambda' | 'Agent';
export const BENCH_KINDS: readonly BenchKind[] = ['IAMRole', 'Lambda', 'Agent'];
export const PLURALS: Record<BenchKind, string> = { IAMRole: 'iamroles', Lambda: 'lambdas', Agent: 'agents' };

export interface BenchObject {
  apiVersion: string;
  kind: BenchKind;
  metadata: { name: string; namespace: string };
  spec: Record<string, unknown>;
}

function object(kind: BenchKind, name: string, spec: Record<string, unknown>): BenchObject {
  return { apiVersion: API_VERSION, kind, metadata: { name, namespace: NAMESPACE }, spec };
}

export function role(name: string, i: number): BenchObject {
  return object('IAMRole', name, {
    assumeRolePolicy: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole' }] },
    inlinePolicies: [{ name: 'Invoke', policy: { version: '2012-10-17', statement: [{ effect: 'Allow', action: 'bedrock:InvokeModel', resource: `arn:aws:bedrock:us-east-1::foundation-model/m-${i}` }] } }],
    tags: { Bench: String(i) },
  });
}

const lambdaName = (i: number) => `bench-fn-${i}`;

export function lambda(i: number): BenchObject {
  return object('Lambda', lambdaName(i), {
    runtime: 'python3.12', handler: 'app.handler', memorySize: 256,
    code: { inline: { 'app.py': `def handler(e, c):\n    return ${i}\n` } },
  });
}

export function agent(i: number, lambdaIndex: number): BenchObject {
  return object('Agent', `bench-agent-${i}`, {
    foundationModel: 'anthropic.claude-3-sonnet-20240229-v1:0',
    instruction: `You are benchmark agent ${i}. Look orders up with the lookup_order function and answer in one sentence.`,
    actionGroups: [{
      name: 'orders',
      actionGroupExecutor: { lambda: lambdaName(lambdaIndex) },
      functionSchema: { functions: [{ name: 'lookup_order', description: 'Look up an order by its ID', parameters: { order_id: { type: 'string', description: 'The order ID', required: true } } }] },
    }],
    aliases: [{ name: 'live' }],
    tags: { Bench: String(i) },
  });
}

/** Everything applied at once: IAMRoles, then Lambdas, then Agents (agent i calls Lambda i mod lambdas). */
export function benchObjects(counts: Counts): BenchObject[] {
  return [
    ...Array.from({ length: counts.roles }, (_, i) => role(`bench-role-${i}`, i)),
    ...Array.from({ length: counts.lambdas }, (_, i) => lambda(i)),
    ...Array.from({ length: counts.agents }, (_, i) => agent(i, i % counts.lambdas)),
  ];
}

/** Objects of each kind the operator will reconcile: the applied ones, and an IAMRole generated per Lambda and per Agent. */
export function expectedCounts(counts: Counts): Record<BenchKind, number> {
  return { IAMRole: counts.roles + counts.lambdas + counts.agents, Lambda: counts.lambdas, Agent: counts.agents };
}
