// The kinds of the API group, each with its names, schema and printer columns: the single
// source from which crds/*.yaml are generated (src/api/crd.ts) and the controllers get their types.
import type { TSchema } from './schema.ts';
import { API_VERSION, GROUP, VERSION, printerColumns } from './common.ts';
import { AgentSpec, AgentStatus } from './agent.ts';
import { ActionGroupSpec, ActionGroupStatus, AgentKnowledgeBaseAssociationSpec, AgentKnowledgeBaseAssociationStatus } from './agent-parts.ts';
import { FlowSpec, FlowStatus } from './flow.ts';
import { GUARDRAIL_NAME, GuardrailSpec, GuardrailStatus } from './guardrail.ts';
import { IAMRoleSpec, IAMRoleStatus } from './iamrole.ts';
import { LambdaSpec, LambdaStatus } from './lambda.ts';
import { PromptSpec, PromptStatus } from './prompt.ts';
import type { CelRule } from './schema.ts';
import type { CustomResource } from './metadata.ts';

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: TSchema;
  status: TSchema;
  /** CEL rules on the whole object (they may read metadata.name). */
  rootRules: CelRule[];
  printerColumns: { name: string; type: string; jsonPath: string; priority?: number; description?: string }[];
}

export const IAMRoleKind: KindDefinition = {
  kind: 'IAMRole',
  plural: 'iamroles',
  singular: 'iamrole',
  shortNames: ['bfrole'],
  description: 'An IAM role with its trust policy, inline policies and managed policy attachments, kept in sync with AWS.',
  spec: IAMRoleSpec,
  status: IAMRoleStatus,
  rootRules: [{
    rule: 'has(self.spec.roleName) || self.metadata.name.matches(\'^[\\\\w+=,.@-]{1,64}$\')',
    message: 'metadata.name is not a valid IAM role name (1-64 characters of letters, digits and +=,.@_-): set spec.roleName',
    fieldPath: '.spec.roleName',
  }, {
    // A new name would create a second role and leave the first behind.
    rule: '(has(self.spec.roleName) ? self.spec.roleName : self.metadata.name) == (has(oldSelf.spec.roleName) ? oldSelf.spec.roleName : oldSelf.metadata.name)',
    message: 'the role name (spec.roleName, else metadata.name) cannot change: IAM cannot rename a role. Create another IAMRole for the new name',
    fieldPath: '.spec.roleName',
  }, {
    rule: '(has(self.spec.path) ? self.spec.path : \'/\') == (has(oldSelf.spec.path) ? oldSelf.spec.path : \'/\')',
    message: 'spec.path cannot change: IAM cannot move a role to another path. Create another IAMRole for the new path',
    fieldPath: '.spec.path',
  }],
  printerColumns: [
    ...printerColumns('.status.arn'),
    { name: 'Role', type: 'string', jsonPath: '.status.roleName', priority: 1 },
  ],
};

export const LambdaKind: KindDefinition = {
  kind: 'Lambda',
  plural: 'lambdas',
  singular: 'lambda',
  shortNames: ['bflambda', 'bffn'],
  description: 'A Lambda function with its code, execution role and resource-based policy, kept in sync with AWS.',
  spec: LambdaSpec,
  status: LambdaStatus,
  rootRules: [{
    rule: 'has(self.spec.functionName) || self.metadata.name.matches(\'^[a-zA-Z0-9-_]{1,64}$\')',
    message: 'metadata.name is not a valid Lambda function name (1-64 characters of letters, digits, - and _): set spec.functionName',
    fieldPath: '.spec.functionName',
  }, {
    // A new name would create a second function and leave the first behind.
    rule: '(has(self.spec.functionName) ? self.spec.functionName : self.metadata.name) == (has(oldSelf.spec.functionName) ? oldSelf.spec.functionName : oldSelf.metadata.name)',
    message: 'the function name (spec.functionName, else metadata.name) cannot change: Lambda cannot rename a function. Create another Lambda for the new name',
    fieldPath: '.spec.functionName',
  }, {
    rule: '(has(self.spec.packageType) ? self.spec.packageType : \'Zip\') == (has(oldSelf.spec.packageType) ? oldSelf.spec.packageType : \'Zip\')',
    message: 'spec.packageType cannot change: Lambda cannot change a function\'s package type. Create another Lambda for the new package type',
    fieldPath: '.spec.packageType',
  }],
  printerColumns: printerColumns('.status.arn'),
};

export const AgentKind: KindDefinition = {
  kind: 'Agent',
  plural: 'agents',
  singular: 'agent',
  shortNames: ['bfagent'],
  description: 'A Bedrock agent with its action groups, knowledge bases, aliases and service role, kept in sync with AWS.',
  spec: AgentSpec,
  status: AgentStatus,
  rootRules: [{
    rule: 'has(self.spec.agentName) || self.metadata.name.matches(\'^([0-9a-zA-Z][_-]?){1,100}$\')',
    message: 'metadata.name is not a valid agent name (letters and digits, single - or _ between them, up to 100): set spec.agentName',
    fieldPath: '.spec.agentName',
  }],
  printerColumns: [
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Synced', type: 'string', jsonPath: '.status.conditions[?(@.type=="Synced")].status' },
    { name: 'Status', type: 'string', jsonPath: '.status.agentStatus' },
    { name: 'ARN', type: 'string', jsonPath: '.status.agentArn' },
    { name: 'Agent ID', type: 'string', jsonPath: '.status.agentId', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

export const FlowKind: KindDefinition = {
  kind: 'Flow',
  plural: 'flows',
  singular: 'flow',
  shortNames: ['bfflow'],
  description: 'An Amazon Bedrock flow with its definition, versions, aliases and service role, kept in sync with AWS. This kind is the operator\'s own: Bedrock Forge has no flow manifests.',
  spec: FlowSpec,
  status: FlowStatus,
  rootRules: [{
    rule: 'has(self.spec.flowName) || self.metadata.name.matches(\'^([0-9a-zA-Z][_-]?){1,100}$\')',
    message: 'metadata.name is not a valid flow name (letters and digits, single - or _ between them, up to 100): set spec.flowName',
    fieldPath: '.spec.flowName',
  }],
  printerColumns: [
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Synced', type: 'string', jsonPath: '.status.conditions[?(@.type=="Synced")].status' },
    { name: 'Status', type: 'string', jsonPath: '.status.flowStatus' },
    { name: 'Version', type: 'string', jsonPath: '.status.flowVersion' },
    { name: 'ARN', type: 'string', jsonPath: '.status.flowArn' },
    { name: 'Flow ID', type: 'string', jsonPath: '.status.flowId', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

export const PromptKind: KindDefinition = {
  kind: 'Prompt',
  plural: 'prompts',
  singular: 'prompt',
  shortNames: ['bfprompt'],
  description: 'A prompt in Amazon Bedrock Prompt management with its variant and tags, kept in sync with AWS. An Agent\'s promptOverrides may name it.',
  spec: PromptSpec,
  status: PromptStatus,
  rootRules: [{
    rule: 'has(self.spec.promptName) || self.metadata.name.matches(\'^([0-9a-zA-Z][_-]?){1,100}$\')',
    message: 'metadata.name is not a valid prompt name (letters and digits, single - or _ between them, up to 100): set spec.promptName',
    fieldPath: '.spec.promptName',
  }],
  printerColumns: [
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Synced', type: 'string', jsonPath: '.status.conditions[?(@.type=="Synced")].status' },
    { name: 'Version', type: 'string', jsonPath: '.status.version' },
    { name: 'ARN', type: 'string', jsonPath: '.status.promptArn' },
    { name: 'Prompt ID', type: 'string', jsonPath: '.status.promptId', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};


export const GuardrailKind: KindDefinition = {
  kind: 'Guardrail',
  plural: 'guardrails',
  singular: 'guardrail',
  shortNames: ['bfguardrail'],
  description: 'An Amazon Bedrock guardrail with its content, sensitive-information, contextual-grounding, topic and word policies, kept in sync with AWS.',
  spec: GuardrailSpec,
  status: GuardrailStatus,
  rootRules: [{
    rule: `has(self.spec.guardrailName) || self.metadata.name.matches('${GUARDRAIL_NAME}')`,
    message: 'metadata.name is not a valid guardrail name (1-50 letters, digits, - and _): set spec.guardrailName',
    fieldPath: '.spec.guardrailName',
  }],
  printerColumns: [
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Synced', type: 'string', jsonPath: '.status.conditions[?(@.type=="Synced")].status' },
    { name: 'Status', type: 'string', jsonPath: '.status.guardrailStatus' },
    { name: 'ARN', type: 'string', jsonPath: '.status.guardrailArn' },
    { name: 'Guardrail ID', type: 'string', jsonPath: '.status.guardrailId', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

const partColumns = [
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: 'Synced', type: 'string', jsonPath: '.status.conditions[?(@.type=="Synced")].status' },
  { name: 'Agent', type: 'string', jsonPath: '.status.agent' },
  { name: 'Agent ID', type: 'string', jsonPath: '.status.agentId', priority: 1 },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

export const ActionGroupKind: KindDefinition = {
  kind: 'ActionGroup',
  plural: 'actiongroups',
  singular: 'actiongroup',
  shortNames: ['bfactiongroup', 'bfag'],
  description: 'An action group of an Agent of the same namespace, written as a document of its own (Bedrock Forge\'s kind ActionGroup): the Agent keeps it in AWS as if it were in its spec.actionGroups.',
  spec: ActionGroupSpec,
  status: ActionGroupStatus,
  rootRules: [{
    rule: 'has(self.spec.actionGroupName) || self.metadata.name.matches(\'^([0-9a-zA-Z][_-]?){1,100}$\')',
    message: 'metadata.name is not a valid action group name (letters and digits, single - or _ between them, up to 100): set spec.actionGroupName',
    fieldPath: '.spec.actionGroupName',
  }],
  printerColumns: partColumns,
};

export const AgentKnowledgeBaseAssociationKind: KindDefinition = {
  kind: 'AgentKnowledgeBaseAssociation',
  plural: 'agentknowledgebaseassociations',
  singular: 'agentknowledgebaseassociation',
  shortNames: ['bfkbassociation', 'bfkba'],
  description: 'A knowledge base associated with an Agent of the same namespace, written as a document of its own (Bedrock Forge\'s kind AgentKnowledgeBaseAssociation): the Agent keeps it in AWS as if it were in its spec.knowledgeBases.',
  spec: AgentKnowledgeBaseAssociationSpec,
  status: AgentKnowledgeBaseAssociationStatus,
  rootRules: [],
  printerColumns: partColumns,
};

export const KINDS: readonly KindDefinition[] = [IAMRoleKind, LambdaKind, AgentKind, FlowKind, PromptKind, GuardrailKind, ActionGroupKind, AgentKnowledgeBaseAssociationKind];

export const CATEGORY = 'bedrockforge';
export { API_VERSION, GROUP, VERSION };

/** Objects of the three kinds, as the controllers read them. */
export type IAMRoleResource = CustomResource<IAMRoleSpec, IAMRoleStatus>;
export type LambdaResource = CustomResource<LambdaSpec, LambdaStatus>;
export type AgentResource = CustomResource<AgentSpec, AgentStatus>;
export type FlowResource = CustomResource<FlowSpec, FlowStatus>;
export type PromptResource = CustomResource<PromptSpec, PromptStatus>;
export type GuardrailResource = CustomResource<GuardrailSpec, GuardrailStatus>;
export type ActionGroupResource = CustomResource<ActionGroupSpec, ActionGroupStatus>;
export type AgentKnowledgeBaseAssociationResource = CustomResource<AgentKnowledgeBaseAssociationSpec, AgentKnowledgeBaseAssociationStatus>;
