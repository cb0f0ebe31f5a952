// The CRD schemas and CEL rules refuse bad manifests at `kubectl apply`, naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../harness/stack.ts';
import { kubectlApply, namesField } from '../harness/kubectl.ts';
import { invalidCases, validSpec, validVariants } from './invalid-manifests.ts';

let stack: Stack;
beforeAll(async () => { stack = await startStack(); });
afterAll(async () => { await stack?.stop(); });

function manifest(kind: string, name: string, spec: unknown) {
  return { apiVersion: 'bedrockforge.io/v1alpha1', kind, metadata: { name, namespace: 'default' }, spec };
}

describe('admission', () => {
  it('accepts the valid base manifest of each kind', async () => {
    for (const kind of ['IAMRole', 'Lambda', 'Agent'] as const) {
      const result = await kubectlApply(stack, [manifest(kind, `valid-${kind.toLowerCase()}`, validSpec(kind))]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
  });

  for (const [i, v] of validVariants.entries()) {
    it(`accepts ${v.kind}: ${v.title}`, async () => {
      const spec = validSpec(v.kind);
      v.change(spec);
      const result = await kubectlApply(stack, [manifest(v.kind, `variant-${i}`, spec)]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    });
  }

  // What AWS cannot change in place: a new value would make a second resource and leave the first.
  for (const [kind, field, from, to, says] of [
    ['IAMRole', 'roleName', undefined, 'renamed-role', 'IAM cannot rename a role'],
    ['IAMRole', 'path', '/bedrock/', '/other/', 'IAM cannot move a role'],
    ['Lambda', 'functionName', 'first-name', 'second-name', 'Lambda cannot rename a function'],
  ] as const) {
    it(`refuses a change of ${kind} spec.${field}, and accepts the other changes`, async () => {
      const name = `immutable-${kind.toLowerCase()}-${field.toLowerCase()}`;
      const spec = validSpec(kind);
      if (from !== undefined) spec[field] = from;
      expect((await kubectlApply(stack, [manifest(kind, name, spec)])).code).toBe(0);
      const refused = await kubectlApply(stack, [manifest(kind, name, { ...spec, [field]: to })]);
      expect(refused.code).not.toBe(0);
      expect(namesField(refused.stderr, `spec.${field}`), refused.stderr).toBe(true);
      expect(refused.stderr).toContain(says);
      // Setting the name the object already has is no change.
      if (from === undefined) expect((await kubectlApply(stack, [manifest(kind, name, { ...spec, [field]: name })])).code).toBe(0);
      expect((await kubectlApply(stack, [manifest(kind, name, { ...spec, description: 'changed' })])).code).toBe(0);
    });
  }

  it('has a corpus of at least 30 bad manifests', () => {
    expect(invalidCases.length).toBeGreaterThanOrEqual(30);
  });

  for (const [i, c] of invalidCases.entries()) {
    it(`refuses ${c.kind}: ${c.title}`, async () => {
      const spec = validSpec(c.kind);
      c.break(spec);
      const result = await kubectlApply(stack, [manifest(c.kind, c.name ?? `bad-${i}`, spec)]);
      expect(result.code).not.toBe(0);
      expect(namesField(result.stderr, c.field), result.stderr).toBe(true);
      if (c.says) expect(result.stderr).toContain(c.says);
    });
  }
});
