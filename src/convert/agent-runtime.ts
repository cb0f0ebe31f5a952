// What changes for a Bedrock Forge Agent that the converter puts on Amazon Bedrock AgentCore
// (spec.runtime: agentcore). The operator's own mapping decides, so the converter says what the
// operator will do rather than keep a copy of it: the names (names.ts), the gateway's targets and
// their tools (desiredTargets), the harness's own tools (desiredHarness) and what AgentCore cannot
// carry out (coverageGaps, which the operator also reports in the RuntimeCoverage condition).
import type { AgentSpec } from '../api/agent.ts';
import { coverageGaps, desiredHarness, desiredTargets, type DesiredTarget } from '../kinds/agent/agentcore/desired-agentcore.ts';
import { endpointNameOf, gatewayNameOf, harnessNameOf } from '../kinds/agent/agentcore/names.ts';
import { referenceName } from '../api/common.ts';

type ActionGroup = NonNullable<AgentSpec['actionGroups']>[number];

export interface RuntimeNote {
  level: 'info' | 'warning';
  message: string;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
/** The function an action group's executor names: a Lambda object's name, or the function's name in its ARN. */
const lambdaOf = (group: ActionGroup) => {
  const executor = group.actionGroupExecutor;
  return executor?.lambda ? referenceName(executor.lambda) : executor?.lambdaArn?.replace(/^.*:function:/, '') ?? '';
};
/** The least spec the operator's mapping functions take, for one part of an Agent at a time. */
const part = (rest: Partial<AgentSpec>): AgentSpec => ({ foundationModel: '', instruction: '', ...rest });

/** What the Agent becomes on AgentCore and what its owner has to change, one note each. */
export async function agentCoreNotes(objectName: string, spec: AgentSpec): Promise<RuntimeNote[]> {
  const agentName = spec.agentName ?? objectName;
  const targets: DesiredTarget[] = [];
  const inlineTools: string[] = [];
  const changes: RuntimeNote[] = [];
  // One action group at a time, so that one the operator cannot map does not hide the others.
  for (const group of spec.actionGroups ?? []) {
    try {
      const groupTargets = await desiredTargets(part({ actionGroups: [group] }), lambdaOf);
      targets.push(...groupTargets);
      const harnessTools = (await desiredHarness(part({ actionGroups: [group] }), '')).tools.map((t) => t.name ?? '?');
      inlineTools.push(...harnessTools);
      changes.push(...groupTargets.flatMap((t) => (t.kind === 'lambda' ? [gatewayEventNote(group, t)] : [])));
      if (group.actionGroupExecutor?.customControl === 'RETURN_CONTROL' && harnessTools.length > 0) {
        changes.push({
          level: 'info',
          message: `spec.actionGroups[${group.name}]: RETURN_CONTROL becomes the harness's inline function tools ${harnessTools.join(', ')}: the caller of the endpoint`
            + ` gets the call (stopReason tool_use) and sends its result back, instead of InvokeAgent's returnControl`,
        });
      }
    } catch (error) {
      changes.push({ level: 'warning', message: `spec.actionGroups[${group.name}]: its schema cannot become AgentCore tools (${messageOf(error)}); the Agent does not become Ready on AgentCore until it changes` });
    }
  }
  targets.push(...await desiredTargets(part({ knowledgeBases: spec.knowledgeBases ?? [] }), lambdaOf));

  const gaps = coverageGaps(spec);
  const endpoints = (spec.aliases ?? []).map((a) => `${endpointNameOf(a.name)} (alias ${a.name})`);
  const summary = [
    `harness ${harnessNameOf(agentName)}${inlineTools.length > 0 ? ` (harness tools: ${inlineTools.join(', ')})` : ''}`,
    ...(targets.length > 0 ? [`gateway ${gatewayNameOf(agentName)} (targets: ${targets.map((t) => t.name).join(', ')})`] : []),
    endpoints.length > 0 ? `endpoint${endpoints.length > 1 ? 's' : ''} ${endpoints.join(', ')}` : 'no endpoint (spec.aliases is empty)',
  ];
  const notes: RuntimeNote[] = [{
    level: 'info',
    message: `on AgentCore it becomes ${summary.slice(0, -1).join(', ')} and ${summary.at(-1)}`
      + `${gaps.length > 0 ? '; the operator also reports what AgentCore has no equivalent for (below) in the RuntimeCoverage condition' : ''}`,
  }];
  notes.push(...gaps.map((gap) => ({ level: 'warning' as const, message: `AgentCore has no equivalent for ${gap}` })));
  notes.push(...changes);

  const role = spec.iamRole;
  const named = typeof role === 'string' ? role : role?.roleName ?? role?.roleArn;
  if (named) {
    notes.push({
      level: 'warning',
      message: `spec.iamRole ${named} becomes the harness's execution role on AgentCore: it must trust bedrock-agentcore.amazonaws.com (not bedrock.amazonaws.com) and allow the model and the agent's gateway;`
        + ` without spec.iamRole the operator generates BedrockAgentCoreHarness_${agentName}`,
    });
  }
  return notes;
}

/** A gateway Lambda target: the gateway calls the function with the tool's arguments, not Bedrock Agents' envelope. */
function gatewayEventNote(group: ActionGroup, target: Extract<DesiredTarget, { kind: 'lambda' }>): RuntimeNote {
  const calls = target.tools.map((tool) => `${tool.name} gets {${Object.keys(tool.inputSchema?.properties ?? {}).map((name) => `"${name}": …`).join(', ')}}`);
  const envelope = group.apiSchema ? 'apiPath, httpMethod, parameters and requestBody' : 'function and parameters';
  return {
    level: 'warning',
    message: `spec.actionGroups[${group.name}]: on AgentCore the gateway invokes Lambda ${target.lambdaArn} with the tool's arguments as the event (${calls.join('; ')}),`
      + ` not Bedrock Agents' envelope (messageVersion, actionGroup, ${envelope}); the tool's name is in context.client_context.custom.bedrockAgentCoreToolName`
      + ` (${target.name}___<tool>), and the JSON it returns is the answer: change the function, or let it answer both shapes as examples/complete/order-assistant-agentcore.yaml does`,
  };
}
