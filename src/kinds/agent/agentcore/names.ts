// AgentCore's names for what a Bedrock Forge Agent names: each AgentCore resource has its own
// pattern (docs/research/agentcore.md §2.4), and none of them takes every name Bedrock Agents
// takes: harness and endpoint names allow `_` but no `-`, gateway and target names `-` but no `_`.
// Each name is mapped the same way on every pass, and shortened with a hash when it is too long.
import { createHash } from 'node:crypto';

function hashed(name: string, max: number, joiner: string): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, max - hash.length - 1)}${joiner}${hash}`;
}

/** `[a-zA-Z][a-zA-Z0-9_]{0,max-1}`: harnesses (40), endpoints and memories (48). */
function underscored(name: string, max: number): string {
  let out = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (!/^[a-zA-Z]/.test(out)) out = `a${out}`;
  return hashed(out, max, '_');
}

/** `([0-9a-zA-Z][-]?){1,units}`: gateways (48) and targets (100); no `_`, no `--`, no leading `-`. */
function hyphenated(name: string, units: number): string {
  const out = name.replace(/[^0-9a-zA-Z]+/g, '-').replace(/^-+/, '') || 'a';
  const bounded = hashed(out, units, '-');
  return bounded.replace(/-+/g, '-');
}

export const harnessNameOf = (agentName: string) => underscored(agentName, 40);
export const endpointNameOf = (aliasName: string) => underscored(aliasName, 48);
export const gatewayNameOf = (agentName: string) => hyphenated(agentName, 48).replace(/-$/, '');
export const targetNameOf = (actionGroupName: string) => hyphenated(actionGroupName, 100).replace(/-$/, '');
export const knowledgeBaseTargetNameOf = (knowledgeBaseId: string) => `kb-${knowledgeBaseId}`;

/** The endpoint every harness has, which follows its latest version: never the operator's to change. */
export const DEFAULT_ENDPOINT = 'DEFAULT';

/** The harness tool through which the model reaches the agent's gateway. */
export const GATEWAY_TOOL = 'gateway';
