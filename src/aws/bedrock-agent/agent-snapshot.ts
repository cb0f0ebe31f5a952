// Every Bedrock agent of the account and region, read in bulk with ListAgents (up to 1,000 per
// call): each summary has the agent's status, its latestAgentVersion and updatedAt, which every
// change to the agent's DRAFT moves (UpdateAgent, action groups, knowledge-base associations).
// The Agent client reads the agent, its action groups and knowledge bases only when the summary
// moved since the agent was last found in sync, and in full every few resyncs for what no
// summary shows (tags; a preparation without a DRAFT change); aliases it reads each resync.
import { ListAgentsCommand, type AgentSummary, type BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import { AccountSnapshot, type Loaded } from '../account-snapshot.ts';
import { allPages } from '../aws-errors.ts';

/** By agent ID. */
export class AgentSnapshot extends AccountSnapshot<AgentSummary> {
  constructor(bedrock: BedrockAgentClient, maxAgeMs: number, now: () => number = Date.now) {
    super('bedrock-agents', () => loadAgents(bedrock), maxAgeMs, now);
  }
}

/** What a summary says of an agent's DRAFT: equal keys, no change since. */
export function summaryKey(summary: Pick<AgentSummary, 'agentId' | 'agentStatus' | 'updatedAt' | 'latestAgentVersion'>): string {
  return [summary.agentId, summary.agentStatus, summary.updatedAt?.getTime(), summary.latestAgentVersion].join('|');
}

async function loadAgents(bedrock: BedrockAgentClient): Promise<Omit<Loaded<AgentSummary>, 'startedAt'>> {
  const agents = await allPages((nextToken) => bedrock.send(new ListAgentsCommand({ maxResults: 1000, nextToken }))
    .then((page) => ({ items: page.agentSummaries ?? [], next: page.nextToken })));
  return { items: new Map(agents.map((agent) => [agent.agentId!, agent])) };
}
