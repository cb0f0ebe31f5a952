// `npm run demo` brings up the stack and the operator, applies examples/, shows the IAMRoles
// and Lambdas becoming Ready, a drift made in the emulator being corrected, and the complete
// example (Agent, Lambda, generated roles) Ready on both runtimes: Bedrock Agents, and AgentCore
// with its harness, gateway target and tools, endpoint and generated roles; --once then stops.
// With --in-cluster the operator is its image, installed by the chart as a Pod on the test bed's
// node.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

describe('demo', () => {
  it('shows every example accepted by the apiserver, then stops', async () => {
    const { stdout } = await run(process.execPath, [join(root, 'scripts', 'demo.ts'), '--once'], { cwd: root, timeout: 240_000 });
    // Its first line says how to run the operator as users do.
    expect(stdout.split('\n')[0]).toContain('`npm run demo -- --in-cluster` runs the operator as a Pod from its image');
    expect(stdout).toContain('agent.bedrockforge.io/order-assistant created');
    expect(stdout).toMatch(/^KIND\s+NAMESPACE\/NAME\s+READY\s+SYNCED\s+DETAIL$/m);
    for (const name of ['order-assistant', 'order-lookup', 'custom-agent', 'custom-lambda', 'custom-lambda-role', 'cross-account-agent-role']) {
      expect(stdout).toMatch(new RegExp(`default/${name}\\s`));
    }
    expect(stdout).toMatch(/IAMRole\s+default\/least-privilege-agent-role\s+True\s+True/);
    expect(stdout).toMatch(/IAMRole\s+default\/custom-agent-role\s+False\s+False\s+NoSuchEntity/);
    expect(stdout).toMatch(/Lambda\s+default\/custom-lambda\s+True\s+True/);
    expect(stdout).toMatch(/Lambda\s+default\/order-lookup\s+True\s+True/);
    expect(stdout).toMatch(/IAMRole\s+default\/order-lookup-execution-role\s+True\s+True/);
    expect(stdout).toContain('The operator corrected it (Event DriftCorrected: Corrected drift in: inline policy MinimalPermissions)');
    expect(stdout).toMatch(/The complete example is Ready: agent [0-9A-Z]{10} is prepared and alias live routes to version \d+ \(Bedrock Agents, runs as AmazonBedrockExecutionRoleForAgents_order-assistant\)\./);
    expect(stdout).toMatch(/Agent\s+default\/order-assistant\s+True\s+True/);
    expect(stdout).toMatch(/IAMRole\s+default\/order-assistant-service-role\s+True\s+True/);
    // The same agent on AgentCore: harness, gateway target with its tool, endpoint, generated roles.
    expect(stdout).toContain('agent.bedrockforge.io/order-assistant-agentcore created');
    expect(stdout).toMatch(/Agent\s+default\/order-assistant-agentcore\s+True\s+True/);
    expect(stdout).toMatch(/IAMRole\s+default\/order-assistant-agentcore-harness-role\s+True\s+True/);
    expect(stdout).toMatch(/IAMRole\s+default\/order-assistant-agentcore-gateway-role\s+True\s+True/);
    expect(stdout).toContain('The same agent on Bedrock AgentCore is Ready (Agent order-assistant-agentcore, spec.runtime agentcore):');
    expect(stdout).toMatch(/^ {2}harness order_assistant_agentcore \(order_assistant_agentcore-\w+\) is READY at version (\d+), model anthropic\.claude-3-sonnet-20240229-v1:0$/m);
    expect(stdout).toMatch(/^ {2}gateway order-assistant-agentcore \(order-assistant-agentcore-\w+\) is READY, at https:\/\/\S+\/mcp$/m);
    expect(stdout).toMatch(/^ {4}target orders is READY: Lambda order-lookup-agentcore, tools lookup_order\(order_id\)$/m);
    const harnessVersion = /harness order_assistant_agentcore \S+ is READY at version (\d+)/.exec(stdout)?.[1];
    expect(stdout).toContain(`  endpoint live (alias live) is READY and serves harness version ${harnessVersion}`);
    expect(stdout).toMatch(/^ {2}condition RuntimeCoverage True \(FullyCovered\): every field of the spec is carried out on (Bedrock )?AgentCore$/m);
    expect(stdout).toMatch(/^ {2}role BedrockAgentCoreHarness_order-assistant-agentcore \(the harness's\): invokes only anthropic\.claude-3-sonnet-20240229-v1:0, calls only gateway order-assistant-agentcore-\w+, writes logs only to \/aws\/bedrock-agentcore\/runtimes\/\S+; AgentCore may assume it only for harness\/order_assistant_agentcore-\w+ and runtime\/\S+$/m);
    expect(stdout).toMatch(/^ {2}role BedrockAgentCoreGateway_order-assistant-agentcore \(the gateway's\): invokes only Lambda order-lookup-agentcore; AgentCore may assume it only for gateway\/order-assistant-agentcore-\w+$/m);
    expect(stdout).toContain('  Lambda order-lookup-agentcore may be invoked only by BedrockAgentCoreGateway_order-assistant-agentcore');
    // The flow that calls the order assistant: prepared, alias routed, its generated role scoped to the model and that alias.
    expect(stdout).toContain('flow.bedrockforge.io/order-triage created');
    expect(stdout).toMatch(/Flow\s+default\/order-triage\s+True\s+True/);
    expect(stdout).toMatch(/^The flow order-triage is Ready: flow ([0-9A-Z]{10}) is Prepared and alias prod routes to version 1\.$/m);
    const flowId = /The flow order-triage is Ready: flow ([0-9A-Z]{10})/.exec(stdout)?.[1];
    expect(stdout).toMatch(/^ {2}its Agent node calls alias live of order-assistant: agent-alias\/[0-9A-Z]{10}\/[0-9A-Z]{10}$/m);
    expect(stdout).toMatch(new RegExp(`^ {2}role AmazonBedrockExecutionRoleForFlows_order-triage: invokes only anthropic\\.claude-3-haiku-20240307-v1:0 and agent alias [0-9A-Z]{10}; Bedrock may assume it only for flow/${flowId}$`, 'm'));
    // custom-agent runs as custom-agent-role, which cannot become Ready (see above): it waits.
    expect(stdout).toMatch(/Agent\s+default\/custom-agent\s+False\s+False\s+WaitingForRole/);
    expect(stdout).toContain('Stopping the operator and the stack');
  });

  it('runs the operator as a Pod from its image with --in-cluster, with the same outcome', async () => {
    const { stdout } = await run(process.execPath, [join(root, 'scripts', 'demo.ts'), '--once', '--in-cluster'], { cwd: root, timeout: 420_000 });
    expect(stdout).toMatch(/^Operator running as a Pod from localhost\/bedrock-forge-operator:\w+ \(\d+ MiB\), installed by the Helm chart/m);
    expect(stdout).toContain('The operator corrected it (Event DriftCorrected: Corrected drift in: inline policy MinimalPermissions)');
    expect(stdout).toMatch(/The complete example is Ready: agent [0-9A-Z]{10} is prepared and alias live routes to version \d+ /);
    expect(stdout).toMatch(/^ {2}endpoint live \(alias live\) is READY and serves harness version \d+$/m);
    expect(stdout).toMatch(/^The flow order-triage is Ready: flow [0-9A-Z]{10} is Prepared and alias prod routes to version 1\.$/m);
    expect(stdout).toContain('Stopping the operator and the stack');
  });
});
