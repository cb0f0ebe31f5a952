// What a Prompt's variants name in Kubernetes: an Agent of the namespace, whose alias ARN Prompt
// management takes as the variant's agentIdentifier. The Agent must run on Bedrock Agents (an
// AgentCore harness has no agent alias) and be Ready with that alias; until then the Prompt
// waits, and the watch on Agents brings it back.
import type { AgentResource } from '../../api/kinds.ts';
import { findCondition } from '../../runtime/conditions.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import type { AgentAliasArn } from './desired-prompt.ts';

export function promptAgentAliasArn(agentOf: (namespace: string, name: string) => AgentResource | undefined, namespace: string): AgentAliasArn {
  return (name, alias, variant) => {
    const where = `Agent ${namespace}/${name} (spec.variants[${variant}].genAiResource.agent.agentName)`;
    const agent = agentOf(namespace, name);
    if (!agent) throw new WaitingError('WaitingForAgent', `${where} does not exist yet; the prompt names its alias once it is Ready`, 'dependency');
    if (agent.status?.runtime === 'agentcore') {
      throw new TerminalError('UnsupportedAgentRuntime',
        `${where} runs on AgentCore, which has no agent alias for Prompt management to name: set genAiResource.agent.agentArn to an agent alias ARN, or name an agent on runtime classic`);
    }
    const aliases = (agent.spec.aliases ?? []).map((a) => a.name);
    if (alias === undefined && aliases.length !== 1) {
      throw new TerminalError('UnknownAgentAlias',
        `${where} has ${aliases.length === 0 ? 'no alias' : `several aliases (${aliases.join(', ')})`} in spec.aliases; Prompt management names an agent by an alias: ${aliases.length === 0 ? 'give the Agent an alias' : 'set genAiResource.agent.alias to one of them'}`);
    }
    const wanted = alias ?? aliases[0]!;
    if (!aliases.includes(wanted)) {
      throw new TerminalError('UnknownAgentAlias', `${where} has no alias ${wanted} in spec.aliases: name one of ${aliases.join(', ') || '(none)'}`);
    }
    const arn = agent.status?.aliases?.find((a) => a.name === wanted)?.aliasArn;
    if (findCondition(agent.status?.conditions, 'Ready')?.status !== 'True' || !arn) {
      throw new WaitingError('WaitingForAgent', `${where} is not Ready with its alias ${wanted} yet; the prompt names that alias once it is`, 'dependency');
    }
    return arn;
  };
}
