// The service role generated for a Flow (src/kinds/flow/service-role.ts), statement by statement
// against seed 003 ("Create a service role for Amazon Bedrock Flows"), and proven with the policy
// evaluator: every call Bedrock makes for the flow's nodes is allowed, the neighbours are denied,
// and a node removed takes its permission with it.
import type { FlowDefinition, FlowNode } from '@aws-sdk/client-bedrock-agent';
import { describe, expect, it } from 'vitest';
import type { IAMRoleSpec } from '../../src/api/iamrole.ts';
import { authorize } from '../../src/iam/evaluator/authorize.ts';
import type { AccessRequest, PolicySet } from '../../src/iam/evaluator/types.ts';
import { flowRoleSpec, flowUses } from '../../src/kinds/flow/service-role.ts';

const ACCOUNT = '123456789012';
const OTHER = '210987654321';
const scope = { partition: 'aws', region: 'us-east-1', account: ACCOUNT };
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const KB_MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const FLOW_ARN = `arn:aws:bedrock:us-east-1:${ACCOUNT}:flow/FLOW123456`;
const PROMPT = `arn:aws:bedrock:us-east-1:${ACCOUNT}:prompt/PROMPT1234`;
const ALIAS = `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent-alias/AGENT12345/ALIAS12345`;
const FUNCTION = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:lookup-order`;
const LOOP_FUNCTION = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:retry-step`;
const BOT_ALIAS = `arn:aws:lex:us-east-1:${ACCOUNT}:bot-alias/BOT1234567/ALIAS67890`;
const PROVISIONED = `arn:aws:bedrock:us-east-1:${ACCOUNT}:provisioned-model/pm1abc`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;

const node = (name: string, type: FlowNode['type'], configuration: Record<string, unknown>): FlowNode => ({ name, type, configuration } as unknown as FlowNode);

const nodes: FlowNode[] = [
  node('Start', 'Input', { input: {} }),
  node('Inline', 'Prompt', { prompt: { sourceConfiguration: { inline: { templateType: 'TEXT', modelId: MODEL, templateConfiguration: { text: { text: 'x' } } } }, guardrailConfiguration: { guardrailIdentifier: 'gr1abc', guardrailVersion: '1' } } }),
  node('Managed', 'Prompt', { prompt: { sourceConfiguration: { resource: { promptArn: PROMPT } } } }),
  node('Provisioned', 'Prompt', { prompt: { sourceConfiguration: { inline: { templateType: 'TEXT', modelId: PROVISIONED, templateConfiguration: { text: { text: 'x' } } } } } }),
  node('Faq', 'KnowledgeBase', { knowledgeBase: { knowledgeBaseId: 'KB12345678', modelId: KB_MODEL } }),
  node('Assistant', 'Agent', { agent: { agentAliasArn: ALIAS } }),
  node('Lookup', 'LambdaFunction', { lambdaFunction: { lambdaArn: FUNCTION } }),
  node('Bot', 'Lex', { lex: { botAliasArn: BOT_ALIAS, localeId: 'en_US' } }),
  node('Read', 'Retrieval', { retrieval: { serviceConfiguration: { s3: { bucketName: 'tickets-in' } } } }),
  node('Write', 'Storage', { storage: { serviceConfiguration: { s3: { bucketName: 'tickets-out' } } } }),
  node('Retry', 'Loop', { loop: { definition: { nodes: [node('LoopStart', 'LoopInput', { loopInput: {} }), node('Step', 'LambdaFunction', { lambdaFunction: { lambdaArn: LOOP_FUNCTION } })] } } }),
  node('Code', 'InlineCode', { inlineCode: { code: '1', language: 'Python_3' } }),
  node('End', 'Output', { output: {} }),
];
const definition: FlowDefinition = { nodes, connections: [] };

function documents(spec: IAMRoleSpec) {
  return { arn: `arn:aws:iam::${ACCOUNT}:role/${spec.roleName}`, identity: (spec.inlinePolicies ?? []).map((p) => ({ name: p.name, document: p.policy })), trust: spec.assumeRolePolicy };
}
const asRole = (spec: IAMRoleSpec, action: string, resource: string, context: Record<string, string> = {}): boolean => {
  const role = documents(spec);
  const request: AccessRequest = { principal: { type: 'AWS', arn: role.arn, account: ACCOUNT }, action, resource, context };
  return authorize(request, { identity: role.identity } as PolicySet).decision === 'Allow';
};
const bedrockAssumes = (spec: IAMRoleSpec, context: Record<string, string>, service = 'bedrock.amazonaws.com'): boolean => {
  const role = documents(spec);
  const request: AccessRequest = { principal: { type: 'Service', service }, action: 'sts:AssumeRole', resource: role.arn, context };
  return authorize(request, { resource: { name: 'trust', document: role.trust } } as PolicySet).decision === 'Allow';
};

describe('the generated flow service role', () => {
  const spec = flowRoleSpec('triage', definition, KEY, scope, FLOW_ARN);

  it('has the statements of seed 003 for the nodes the flow has, scoped to what they name', () => {
    expect(spec.roleName).toBe('AmazonBedrockExecutionRoleForFlows_triage');
    const statements = spec.inlinePolicies![0]!.policy.statement;
    expect(statements).toEqual([
      { sid: 'InvokeModel', effect: 'Allow', action: ['bedrock:InvokeModel'], resource: [`arn:aws:bedrock:us-east-1::foundation-model/${MODEL}`, `arn:aws:bedrock:us-east-1::foundation-model/${KB_MODEL}`] },
      { sid: 'InvokeProvisionedThroughput', effect: 'Allow', action: ['bedrock:InvokeModel', 'bedrock:GetProvisionedModelThroughput'], resource: [PROVISIONED] },
      { sid: 'UsePromptFromPromptManagement', effect: 'Allow', action: ['bedrock:RenderPrompt'], resource: [PROMPT] },
      { sid: 'QueryKnowledgeBase', effect: 'Allow', action: ['bedrock:Retrieve'], resource: [`arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/KB12345678`] },
      { sid: 'RetrieveAndGenerate', effect: 'Allow', action: ['bedrock:RetrieveAndGenerate'], resource: ['*'] },
      { sid: 'InvokeAgent', effect: 'Allow', action: ['bedrock:InvokeAgent'], resource: [ALIAS] },
      { sid: 'AccessS3Bucket', effect: 'Allow', action: ['s3:GetObject'], resource: ['arn:aws:s3:::tickets-in/*'], condition: { StringEquals: { 'aws:ResourceAccount': ACCOUNT } } },
      { sid: 'WriteToS3Bucket', effect: 'Allow', action: ['s3:PutObject'], resource: ['arn:aws:s3:::tickets-out', 'arn:aws:s3:::tickets-out/*'], condition: { StringEquals: { 'aws:ResourceAccount': ACCOUNT } } },
      { sid: 'GuardrailPermissions', effect: 'Allow', action: ['bedrock:ApplyGuardrail'], resource: [`arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/gr1abc`] },
      { sid: 'LambdaPermissions', effect: 'Allow', action: ['lambda:InvokeFunction'], resource: [FUNCTION, LOOP_FUNCTION] },
      { sid: 'AmazonLexPermissions', effect: 'Allow', action: ['lex:RecognizeUtterance'], resource: [BOT_ALIAS] },
      { sid: 'KMSPermissions', effect: 'Allow', action: ['kms:GenerateDataKey', 'kms:Decrypt'], resource: [KEY], condition: { StringEquals: { 'aws:ResourceAccount': ACCOUNT } } },
    ]);
  });

  it('allows every call the nodes make, and denies the neighbours', () => {
    const calls: [string, string, Record<string, string>?][] = [
      ['bedrock:InvokeModel', `arn:aws:bedrock:us-east-1::foundation-model/${MODEL}`],
      ['bedrock:InvokeModel', PROVISIONED], ['bedrock:GetProvisionedModelThroughput', PROVISIONED],
      ['bedrock:RenderPrompt', PROMPT], ['bedrock:Retrieve', `arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/KB12345678`],
      ['bedrock:InvokeAgent', ALIAS], ['bedrock:ApplyGuardrail', `arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/gr1abc`],
      ['lambda:InvokeFunction', FUNCTION], ['lambda:InvokeFunction', LOOP_FUNCTION], ['lex:RecognizeUtterance', BOT_ALIAS],
      ['s3:GetObject', 'arn:aws:s3:::tickets-in/2026/a.json', { 'aws:ResourceAccount': ACCOUNT }],
      ['s3:PutObject', 'arn:aws:s3:::tickets-out/2026/a.json', { 'aws:ResourceAccount': ACCOUNT }],
      ['kms:Decrypt', KEY, { 'aws:ResourceAccount': ACCOUNT }],
    ];
    for (const [action, resource, context] of calls) expect(asRole(spec, action, resource, context), `${action} on ${resource}`).toBe(true);
    const denied: [string, string, Record<string, string>?][] = [
      ['bedrock:InvokeModel', 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-opus-20240229-v1:0'],
      ['bedrock:RenderPrompt', `arn:aws:bedrock:us-east-1:${ACCOUNT}:prompt/OTHER12345`],
      ['bedrock:GetPrompt', PROMPT],
      ['bedrock:Retrieve', `arn:aws:bedrock:us-east-1:${ACCOUNT}:knowledge-base/KBOTHER000`],
      ['bedrock:InvokeAgent', `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent-alias/AGENT12345/OTHER12345`],
      ['lambda:InvokeFunction', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:other`],
      ['s3:PutObject', 'arn:aws:s3:::tickets-in/a.json', { 'aws:ResourceAccount': ACCOUNT }],
      ['s3:GetObject', 'arn:aws:s3:::tickets-in/a.json', { 'aws:ResourceAccount': OTHER }],
      ['kms:Decrypt', KEY.replace('11111111', '99999999'), { 'aws:ResourceAccount': ACCOUNT }],
      ['bedrock:InvokeFlow', `${FLOW_ARN}/alias/ALIAS12345`],
    ];
    for (const [action, resource, context] of denied) expect(asRole(spec, action, resource, context), `${action} on ${resource}`).toBe(false);
  });

  it('is assumed by Bedrock for this flow only once it exists, for this account\'s flows before', () => {
    expect(bedrockAssumes(spec, { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': FLOW_ARN })).toBe(true);
    expect(bedrockAssumes(spec, { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': FLOW_ARN.replace('FLOW123456', 'OTHER12345') })).toBe(false);
    expect(bedrockAssumes(spec, { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': FLOW_ARN }, 'lambda.amazonaws.com')).toBe(false);
    const early = flowRoleSpec('triage', definition, KEY, scope, undefined);
    expect(bedrockAssumes(early, { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': FLOW_ARN })).toBe(true);
    expect(bedrockAssumes(early, { 'aws:SourceAccount': OTHER, 'aws:SourceArn': FLOW_ARN.replace(ACCOUNT, OTHER) })).toBe(false);
    expect(bedrockAssumes(early, { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent/AGENT12345` })).toBe(false);
  });

  it('drops what a removed node needed', () => {
    const without = flowRoleSpec('triage', { ...definition, nodes: nodes.filter((n) => n.name !== 'Lookup' && n.name !== 'Assistant') }, KEY, scope, FLOW_ARN);
    const sids = without.inlinePolicies![0]!.policy.statement.map((s) => s.sid);
    expect(sids).not.toContain('InvokeAgent');
    expect(without.inlinePolicies![0]!.policy.statement.find((s) => s.sid === 'LambdaPermissions')?.resource).toEqual([LOOP_FUNCTION]);
    expect(asRole(without, 'lambda:InvokeFunction', FUNCTION)).toBe(false);
    expect(asRole(without, 'bedrock:InvokeAgent', ALIAS)).toBe(false);
  });

  it('has no policy for a flow whose nodes call nothing', () => {
    const plain = flowRoleSpec('plain', { nodes: [nodes[0]!, nodes.at(-2)!, nodes.at(-1)!] }, undefined, scope, undefined);
    expect(plain.inlinePolicies).toEqual([]);
    expect(flowUses({ nodes: [nodes[0]!, nodes.at(-1)!] })).toMatchObject({ models: [], functions: [], agentAliases: [] });
  });
});
