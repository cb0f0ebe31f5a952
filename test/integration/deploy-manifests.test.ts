// deploy/ is the chart rendered with its default values, for users without Helm: it stays in step
// with the chart, and the apiserver accepts it as `kubectl apply -k deploy/` sends it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl } from '../harness/kubectl.ts';
import { repoRoot } from '../harness/repo-paths.ts';
import { startStack, type Stack } from '../harness/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('deploy/', () => {
  it('matches what the chart renders (npm run deploy:check)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(repoRoot, 'scripts', 'deploy.ts'), '--check']);
    expect(stdout).toMatch(/^deploy\/ matches the chart \(\d+ objects\)/);
  });

  it('applies with kubectl apply -k: namespace, CRDs, RBAC and the Deployment', async () => {
    // The test bed installed the CRDs with a field manager of its own; take them over as an upgrade would.
    const applied = await kubectl(stack, ['apply', '-k', join(repoRoot, 'deploy'), '--server-side', '--force-conflicts']);
    expect(applied.code, applied.stderr).toBe(0);
    for (const object of ['namespace/bedrock-forge', 'customresourcedefinition.apiextensions.k8s.io/agents.bedrockforge.io', 'deployment.apps/bedrock-forge-operator', 'clusterrole.rbac.authorization.k8s.io/bedrock-forge-operator']) {
      expect(applied.stdout).toContain(`${object} serverside-applied`);
    }
  });
});
