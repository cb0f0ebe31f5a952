// The definition a Flow sends to Bedrock (src/kinds/flow/desired-flow.ts): object names become the
// ARNs they stand for, in loop bodies too; and two definitions compare by meaning, so that what
// Bedrock hands back in another order or without empty lists is not drift, while a reordered
// Condition node (the first condition that holds wins) is.
import type { FlowDefinition } from '@aws-sdk/client-bedrock-agent';
import { describe, expect, it } from 'vitest';
import type { FlowDefinitionSpec } from '../../src/api/flow.ts';
import { definitionsMatch, desiredDefinition, namedObjects } from '../../src/kinds/flow/desired-flow.ts';

const ALIAS = 'arn:aws:bedrock:us-east-1:123456789012:agent-alias/AGENT12345/ALIAS12345';
const FN = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const refs = {
  agentAliasArn: (agent: string, alias: string) => (agent === 'order-assistant' && alias === 'live' ? ALIAS : 'unexpected'),
  lambdaArn: (name: string) => FN(name),
};

const spec = {
  nodes: [
    { name: 'In', type: 'Input', configuration: { input: {} }, outputs: [{ name: 'document', type: 'String' }] },
    { name: 'Assistant', type: 'Agent', configuration: { agent: { agent: 'order-assistant', alias: 'live' } }, inputs: [{ name: 'agentInputText', type: 'String', expression: '$.data' }] },
    { name: 'Tag', type: 'LambdaFunction', configuration: { lambdaFunction: { lambda: 'tagger' } } },
    { name: 'External', type: 'LambdaFunction', configuration: { lambdaFunction: { lambdaArn: FN('elsewhere') } } },
    {
      name: 'Retry', type: 'Loop', configuration: {
        loop: { definition: { nodes: [
          { name: 'LoopIn', type: 'LoopInput', configuration: { loopInput: {} } },
          { name: 'Step', type: 'LambdaFunction', configuration: { lambdaFunction: { lambda: 'step' } } },
          { name: 'Again', type: 'LoopController', configuration: { loopController: { continueCondition: { name: 'done', expression: 'n > 3' } } } },
        ] } },
      },
    },
    { name: 'Out', type: 'Output', configuration: { output: {} }, inputs: [{ name: 'document', type: 'String', expression: '$.data' }] },
  ],
  connections: [{ name: 'InToAssistant', type: 'Data', source: 'In', target: 'Assistant', configuration: { data: { sourceOutput: 'document', targetInput: 'agentInputText' } } }],
} as unknown as FlowDefinitionSpec;

const config = (d: FlowDefinition, name: string) => d.nodes!.find((n) => n.name === name)!.configuration;

describe('the definition sent to Bedrock', () => {
  const sent = desiredDefinition(spec, refs);

  it('names the Agent\'s alias and the Lambdas by ARN, inside loops too, and leaves ARNs given as they are', () => {
    expect(config(sent, 'Assistant')).toEqual({ agent: { agentAliasArn: ALIAS } });
    expect(config(sent, 'Tag')).toEqual({ lambdaFunction: { lambdaArn: FN('tagger') } });
    expect(config(sent, 'External')).toEqual({ lambdaFunction: { lambdaArn: FN('elsewhere') } });
    const body = (config(sent, 'Retry') as { loop: { definition: FlowDefinition } }).loop.definition;
    expect(config(body, 'Step')).toEqual({ lambdaFunction: { lambdaArn: FN('step') } });
    expect(sent.connections).toEqual(spec.connections);
  });

  it('lists the objects the nodes name, for the watches', () => {
    expect(namedObjects(spec)).toEqual({ agents: ['order-assistant'], lambdas: ['tagger', 'step'] });
  });

  it('waits or refuses as the references do, before anything is sent', () => {
    expect(() => desiredDefinition(spec, { ...refs, lambdaArn: () => { throw new Error('Lambda default/tagger is not Ready yet'); } })).toThrow('not Ready yet');
  });
});

describe('comparing definitions', () => {
  const sent = desiredDefinition(spec, refs);

  it('ignores the order of nodes, connections, inputs and outputs, and members absent or empty', () => {
    const shuffled = structuredClone(sent);
    shuffled.nodes!.reverse();
    (shuffled.nodes!.find((n) => n.name === 'Tag') as { inputs?: unknown[] }).inputs = [];
    (shuffled as { connections?: unknown }).connections = [...sent.connections!];
    expect(definitionsMatch(sent, shuffled)).toBe(true);
    expect(definitionsMatch({ nodes: sent.nodes }, { nodes: sent.nodes, connections: [] })).toBe(true);
  });

  it('sees a changed value, a node removed, and an empty configuration that is not the node\'s', () => {
    const changed = structuredClone(sent);
    (config(changed, 'Tag') as { lambdaFunction: { lambdaArn: string } }).lambdaFunction.lambdaArn = FN('other');
    expect(definitionsMatch(sent, changed)).toBe(false);
    expect(definitionsMatch(sent, { ...sent, nodes: sent.nodes!.slice(1) })).toBe(false);
    const renamed = structuredClone(sent);
    renamed.nodes![0]!.configuration = { output: {} };
    expect(definitionsMatch(sent, renamed)).toBe(false);
  });

  it('keeps a Condition node\'s conditions in order: the first that holds wins', () => {
    const withConditions = (names: string[]) => ({ nodes: [{ name: 'Check', type: 'Condition', configuration: { condition: { conditions: names.map((name) => ({ name, expression: `x == '${name}'` })) } } }] } as FlowDefinition);
    expect(definitionsMatch(withConditions(['urgent', 'default']), withConditions(['urgent', 'default']))).toBe(true);
    expect(definitionsMatch(withConditions(['urgent', 'default']), withConditions(['default', 'urgent']))).toBe(false);
  });
});
