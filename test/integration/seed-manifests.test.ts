// Every Bedrock Forge manifest of the seed converts; the apiserver accepts those AWS would accept
// and refuses, naming the field, those AWS would refuse.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { convert, render } from '../../src/convert/convert.ts';
import { readInputs } from '../../src/convert/read-inputs.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { kubectl, kubectlApply, namesField } from '../harness/kubectl.ts';

const seeds = join(import.meta.dirname, '..', 'fixtures', 'bedrock-forge');

/** Seed manifests AWS would refuse, and the field the apiserver's message must name. */
const refused: Record<string, { field: string; says: string }> = {
  'IAMRole/cross-account-agent-role': { field: 'spec.assumeRolePolicy.statement[1].principal.aws', says: 'TRUSTED-ACCOUNT-ID' },
  'Agent/custom-agent': { field: 'spec.instruction', says: 'at least 40 chars' },
  'Lambda/custom-lambda': { field: 'spec.code', says: 'code is required' },
};

let stack: Stack;
let objects: { kind: string; metadata: { name: string } }[];

beforeAll(async () => {
  stack = await startStack();
  const { documents } = await convert(await readInputs([seeds]), 'default');
  objects = parseAllDocuments(render(documents)).map((d) => d.toJS());
});
afterAll(async () => { await stack?.stop(); });

describe('seed manifests', () => {
  it('all convert', () => {
    expect(objects.length).toBeGreaterThanOrEqual(9);
  });

  it('apply, or are refused with a message naming the field, one by one', async () => {
    for (const object of objects) {
      const key = `${object.kind}/${object.metadata.name}`;
      const result = await kubectlApply(stack, [object]);
      const expected = refused[key];
      if (expected) {
        expect(result.code, key).not.toBe(0);
        expect(namesField(result.stderr, expected.field), result.stderr).toBe(true);
        expect(result.stderr).toContain(expected.says);
      } else {
        expect(result.stderr, key).toBe('');
        expect(result.code, key).toBe(0);
      }
    }
    const listed = await kubectl(stack, ['get', 'bedrockforge', '-n', 'default', '-o', 'name']);
    expect(listed.stdout.trim().split('\n').sort()).toEqual([
      'iamrole.bedrockforge.io/custom-agent-role',
      'iamrole.bedrockforge.io/enterprise-agent-role',
      'iamrole.bedrockforge.io/env-specific-agent-role',
      'iamrole.bedrockforge.io/least-privilege-agent-role',
      'iamrole.bedrockforge.io/time-restricted-agent-role',
      'lambda.bedrockforge.io/order-lookup',
    ]);
  });

  it('a manifest without metadata.description applies as it is, with only an apiVersion added', async () => {
    const [text] = (await readInputs([join(seeds, 'least-privilege-agent-role.yml')])).map((i) => i.text);
    const result = await kubectl(stack, ['apply', '-n', 'default', '-f', '-'], `apiVersion: bedrockforge.io/v1alpha1\n${text}`);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('least-privilege-agent-role');
  });

  it('every example in examples/ applies', async () => {
    const result = await kubectl(stack, ['apply', '-R', '-f', join(seeds, '..', '..', '..', 'examples')]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('agent.bedrockforge.io/order-assistant');
    expect(result.stdout).toContain('lambda.bedrockforge.io/custom-lambda');
    expect(result.stdout).toContain('iamrole.bedrockforge.io/cross-account-agent-role');
  });

  it('kubectl explain documents the fields', async () => {
    const result = await kubectl(stack, ['explain', 'agent.spec.actionGroups']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('actionGroupExecutor');
    expect(result.stdout).toContain('Action groups of the agent');
  });
});
