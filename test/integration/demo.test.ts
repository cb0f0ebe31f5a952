// `npm run demo` brings up the stack and the operator, applies examples/, shows the IAMRoles
// and Lambdas becoming Ready, a drift made in the emulator being corrected, and the complete
// example (Agent, Lambda, generated roles) Ready; --once then stops. With --in-cluster the
// operator is its image, installed by the chart as a Pod on the test bed's node.
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
    expect(stdout).toMatch(/The complete example is Ready: agent [0-9A-Z]{10} is prepared and alias live routes to version \d+\./);
    expect(stdout).toMatch(/Agent\s+default\/order-assistant\s+True\s+True/);
    expect(stdout).toMatch(/IAMRole\s+default\/order-assistant-service-role\s+True\s+True/);
    // custom-agent runs as custom-agent-role, which cannot become Ready (see above): it waits.
    expect(stdout).toMatch(/Agent\s+default\/custom-agent\s+False\s+False\s+WaitingForRole/);
    expect(stdout).toContain('Stopping the operator and the stack');
  });

  it('runs the operator as a Pod from its image with --in-cluster, with the same outcome', async () => {
    const { stdout } = await run(process.execPath, [join(root, 'scripts', 'demo.ts'), '--once', '--in-cluster'], { cwd: root, timeout: 420_000 });
    expect(stdout).toMatch(/^Operator running as a Pod from localhost\/bedrock-forge-operator:\w+ \(\d+ MiB\), installed by the Helm chart/m);
    expect(stdout).toContain('The operator corrected it (Event DriftCorrected: Corrected drift in: inline policy MinimalPermissions)');
    expect(stdout).toMatch(/The complete example is Ready: agent [0-9A-Z]{10} is prepared and alias live routes to version \d+\./);
    expect(stdout).toContain('Stopping the operator and the stack');
  });
});
