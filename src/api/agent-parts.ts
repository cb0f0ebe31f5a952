// Parts of an Agent written as documents of their own, as Bedrock Forge writes them: an
// ActionGroup and an AgentKnowledgeBaseAssociation name their Agent (spec.agentId or agentName) in
// the same namespace. They have no writer of their own in AWS: the Agent's controller merges them
// into the agent it keeps in sync, exactly as if they were written inline, so a team can own an
// action group in its own file while the agent stays one resource in AWS with one writer.
import { Type, allOf, bool, cel, exactlyOneOf, oneOfStrings, str, type Static } from './schema.ts';
import { OBJECT_NAME_PATTERN, reference, statusOf, tags, terraformTimeouts } from './common.ts';
import { actionGroupFields, actionGroupRules } from './agent.ts';

const agentReference = (field: string) => reference(`The Agent of this namespace the part belongs to, by its object name (Bedrock Forge's ${field}).`, OBJECT_NAME_PATTERN);

export const ActionGroupSpec = Type.Object(
  {
    agentId: Type.Optional(agentReference('agentId')),
    agentName: Type.Optional(agentReference('agentName, as its documentation writes it; its code reads agentId')),
    actionGroupName: Type.Optional(str({ description: 'Name of the action group in Bedrock. Defaults to metadata.name.', pattern: '^([0-9a-zA-Z][_-]?){1,100}$' })),
    agentVersion: Type.Optional(oneOfStrings(['DRAFT'] as const, { description: 'Version of the agent the action group is on: DRAFT, the only one Bedrock lets change (versions are snapshots).' })),
    ...actionGroupFields,
    prepareAgent: Type.Optional(bool({ description: 'Terraform\'s prepare_agent: no effect here, the Agent\'s spec.prepareAgent decides (it prepares after every change by default).' })),
    tags: Type.Optional(tags('Accepted from Bedrock Forge, with no effect: Bedrock action groups carry no tags (the Agent\'s tags apply to the agent).')),
    timeouts: Type.Optional(terraformTimeouts('the action group')),
  },
  {
    description: 'An action group of an Agent of this namespace, kept in AWS by that Agent as if written in its spec.actionGroups.',
    ...actionGroupRules,
    // Typeless references, which CEL cannot name: OpenAPI says "exactly one".
    ...exactlyOneOf('agentId', 'agentName'),
  },
);
export type ActionGroupSpec = Static<typeof ActionGroupSpec>;

export const AgentKnowledgeBaseAssociationSpec = Type.Object(
  {
    agentId: Type.Optional(agentReference('agentId')),
    agentName: Type.Optional(agentReference('agentName')),
    knowledgeBaseId: Type.Optional(reference('The knowledge base: its ID in Bedrock (10 letters and digits), as the Agent\'s spec.knowledgeBases[].knowledgeBaseId takes it.')),
    knowledgeBaseName: Type.Optional(reference('A Bedrock Forge KnowledgeBase resource, which this operator does not manage: refused with a message; give knowledgeBaseId instead.')),
    description: str({ description: 'What the agent should use the knowledge base for (Bedrock requires it).', minLength: 1, maxLength: 200 }),
    state: Type.Optional(oneOfStrings(['ENABLED', 'DISABLED'] as const, { description: 'ENABLED (default) or DISABLED.' })),
    knowledgeBaseState: Type.Optional(oneOfStrings(['ENABLED', 'DISABLED'] as const, { description: 'Same as state (the spelling of Bedrock Forge\'s documentation).' })),
  },
  {
    description: 'A knowledge base associated with an Agent of this namespace, kept in AWS by that Agent as if written in its spec.knowledgeBases.',
    // Both pairs are typeless references, which CEL cannot name: OpenAPI says "exactly one" of each.
    ...allOf(exactlyOneOf('agentId', 'agentName'), exactlyOneOf('knowledgeBaseId', 'knowledgeBaseName')),
    ...cel({ rule: '!(has(self.state) && has(self.knowledgeBaseState))', message: 'set state or knowledgeBaseState, not both' }),
  },
);
export type AgentKnowledgeBaseAssociationSpec = Static<typeof AgentKnowledgeBaseAssociationSpec>;

const partStatus = (what: string) => statusOf(`Whether the ${what} is in AWS as part of its Agent.`, {
  agent: Type.Optional(str({ description: 'The Agent object it belongs to.' })),
  agentId: Type.Optional(str({ description: 'ID of the agent in Bedrock (on Bedrock Agents).' })),
});

export const ActionGroupStatus = partStatus('action group');
export type ActionGroupStatus = Static<typeof ActionGroupStatus>;
export const AgentKnowledgeBaseAssociationStatus = partStatus('association');
export type AgentKnowledgeBaseAssociationStatus = Static<typeof AgentKnowledgeBaseAssociationStatus>;
