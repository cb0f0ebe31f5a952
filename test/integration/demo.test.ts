// `npm run demo` brings up the stack and the operator, applies examples/ and shows them; --once
// stops after the first table, leaving no process behind.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

describe('demo', () => {
  it('shows every example accepted by the apiserver, then stops', async () => {
    const { stdout } = await run(process.execPath, [join(root, 'scripts', 'demo.ts'), '--once'], { cwd: root, timeout: 120_000 });
    expect(stdout).toContain('agent.bedrockforge.io/order-assistant created');
    expect(stdout).toMatch(/^KIND\s+NAMESPACE\/NAME\s+READY\s+SYNCED\s+DETAIL$/m);
    for (const name of ['order-assistant', 'order-lookup', 'custom-agent', 'custom-lambda', 'custom-lambda-role', 'cross-account-agent-role']) {
      expect(stdout).toMatch(new RegExp(`default/${name}\\s`));
    }
    expect(stdout).toContain('Stopping the operator and the stack');
  });
});
