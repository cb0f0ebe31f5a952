// The flow definition Bedrock is sent, from the spec: the same nodes and connections, with each
// Agent node that names an `Agent` object and alias given that alias's ARN, and each
// LambdaFunction node that names a `Lambda` object given its ARN. And the comparison of two
// definitions by meaning: nodes, connections, inputs and outputs as sets by name, absent and empty
// members alike.
import { isDeepStrictEqual } from 'node:util';
import type { FlowDefinition } from '@aws-sdk/client-bedrock-agent';
import type { FlowDefinitionSpec } from '../../api/flow.ts';

/** How the names of managed objects in a definition become ARNs (each may wait or refuse). */
export interface FlowReferences {
  agentAliasArn(agent: string, alias: string, node: string): string;
  lambdaArn(lambda: string, node: string): string;
}

type SpecNode = FlowDefinitionSpec['nodes'][number];
type Configuration = Record<string, unknown>;

/** The definition with every object name replaced by the ARN it stands for; loop bodies included. */
export function desiredDefinition(definition: FlowDefinitionSpec, refs: FlowReferences): FlowDefinition {
  return {
    nodes: definition.nodes.map((node) => desiredNode(node as SpecNode, refs)),
    ...(definition.connections ? { connections: definition.connections } : {}),
  } as FlowDefinition;
}

function desiredNode(node: SpecNode, refs: FlowReferences): unknown {
  const configuration = node.configuration as Configuration | undefined;
  if (!configuration) return node;
  const agent = configuration.agent as { agent?: string; alias?: string; agentAliasArn?: string } | undefined;
  const lambda = configuration.lambdaFunction as { lambda?: string; lambdaArn?: string } | undefined;
  const loop = configuration.loop as { definition: FlowDefinitionSpec } | undefined;
  let resolved: Configuration = configuration;
  if (agent?.agent && agent.alias) resolved = { agent: { agentAliasArn: refs.agentAliasArn(agent.agent, agent.alias, node.name) } };
  else if (lambda?.lambda) resolved = { lambdaFunction: { lambdaArn: refs.lambdaArn(lambda.lambda, node.name) } };
  else if (loop) resolved = { loop: { definition: desiredDefinition(loop.definition, refs) } };
  return { ...node, configuration: resolved };
}

/** The objects a definition names (loop bodies included), for the watches that bring a Flow back. */
export function namedObjects(definition: FlowDefinitionSpec | undefined): { agents: string[]; lambdas: string[] } {
  const agents = new Set<string>();
  const lambdas = new Set<string>();
  const walk = (d: FlowDefinitionSpec | undefined) => {
    for (const node of d?.nodes ?? []) {
      const c = node.configuration as Configuration | undefined;
      const agent = (c?.agent as { agent?: string } | undefined)?.agent;
      const lambda = (c?.lambdaFunction as { lambda?: string } | undefined)?.lambda;
      if (agent) agents.add(agent);
      if (lambda) lambdas.add(lambda);
      walk((c?.loop as { definition?: FlowDefinitionSpec } | undefined)?.definition);
    }
  };
  walk(definition);
  return { agents: [...agents], lambdas: [...lambdas] };
}

/**
 * A definition in a form where equal meaning is equal data: members that are absent, null or empty
 * lists are dropped, and the lists Bedrock keys by name (nodes, connections, inputs, outputs)
 * are sorted by it. Objects that are empty but present (`input: {}`) stay: they name
 * the node's configuration.
 */
function canonical(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v));
    return NAMED_LISTS.has(key) ? items.sort((a, b) => nameOf(a).localeCompare(nameOf(b))) : items;
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => [k, canonical(v, k)] as const)
      .sort(([a], [b]) => a.localeCompare(b));
    return Object.fromEntries(entries);
  }
  return value;
}

// A Condition node's conditions stay in order: the first that holds wins.
const NAMED_LISTS = new Set(['nodes', 'connections', 'inputs', 'outputs']);

const nameOf = (item: unknown): string => String((item as { name?: unknown } | null)?.name ?? '');

/** Whether two definitions mean the same flow. */
export function definitionsMatch(a: FlowDefinition | undefined, b: FlowDefinition | undefined): boolean {
  return isDeepStrictEqual(canonical(a ?? {}), canonical(b ?? {}));
}
