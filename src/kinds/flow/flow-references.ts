// What a Flow's nodes name in Kubernetes, resolved to ARNs: an Agent's alias (the Agent Ready on
// Bedrock Agents, with that alias in its status) and a Lambda (Ready, with its ARN). Until then the
// Flow waits, and the watches on both kinds bring it back when they change.
import { findCondition } from '../../runtime/conditions.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import { readyLambdaArn } from '../agent/agent-references.ts';
import type { FlowReferences } from './desired-flow.ts';
import type { FlowLookups } from './flow-client.ts';

export function flowReferences(lookups: FlowLookups, namespace: string): FlowReferences {
  return {
    agentAliasArn(name, alias, node) {
      const agent = lookups.agent(namespace, name);
      const where = `Agent ${namespace}/${name} (node ${node})`;
      if (!agent) throw new WaitingError('WaitingForAgent', `${where} does not exist yet; the flow is created once it is Ready`, 'dependency');
      if (agent.status?.runtime === 'agentcore') {
        throw new TerminalError('UnsupportedAgentRuntime',
          `${where} runs on AgentCore, and a flow's Agent node calls Bedrock Agents aliases only: call its endpoint from a LambdaFunction or InlineCode node instead, or name an agent on runtime classic`);
      }
      if (!(agent.spec.aliases ?? []).some((a) => a.name === alias)) {
        throw new TerminalError('UnknownAgentAlias', `${where} has no alias ${alias} in spec.aliases: name one of ${(agent.spec.aliases ?? []).map((a) => a.name).join(', ') || '(none)'}`);
      }
      const arn = agent.status?.aliases?.find((a) => a.name === alias)?.aliasArn;
      if (findCondition(agent.status?.conditions, 'Ready')?.status !== 'True' || !arn) {
        throw new WaitingError('WaitingForAgent', `${where} is not Ready with its alias ${alias} yet; the flow uses that alias once it is`, 'dependency');
      }
      return arn;
    },
    lambdaArn(name, node) {
      return readyLambdaArn(lookups, namespace, name, `node ${node}`, 'the flow uses it');
    },
  };
}
