// Every AWS managed policy that moto ships (close to all of AWS's), written as an IAMRole's inline
// policy in Bedrock Forge's spelling, is accepted at kubectl apply: the CRD limits nothing by count
// (IAM limits a policy by its size, which the operator checks before any call), and its grammar
// admits what AWS itself wrote.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySize, IAM_RULES } from '../../src/iam/iam-rules.ts';
import { ensureEmulator } from '../harness/emulator/emulator.ts';
import { kubectl } from '../harness/kubectl.ts';
import { runCommand } from '../harness/run-command.ts';
import { startStack, type Stack } from '../harness/stack.ts';

let stack: Stack;
beforeAll(async () => { stack = await startStack(); });
afterAll(async () => { await stack?.stop(); });

type IamDocument = { Version?: string; Statement: Record<string, unknown>[] | Record<string, unknown> };

/** moto's copy of the AWS managed policies, by name. */
async function managedPolicies(): Promise<Record<string, IamDocument>> {
  const python = await ensureEmulator();
  const out = await runCommand(python, ['-c', [
    'import json',
    'from moto.iam.aws_managed_policies import aws_managed_policies_data as d',
    'print(json.dumps({n: p["Document"] for n, p in json.loads(d).items()}))',
  ].join('\n')]);
  return JSON.parse(out) as Record<string, IamDocument>;
}

/** A document in IAM's spelling, in the API's: lowercase element names; operators, keys and principal types as they are. */
function apiSpelling(doc: IamDocument): Record<string, unknown> {
  const lower = (k: string) => k.charAt(0).toLowerCase() + k.slice(1);
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return {
    ...(doc.Version ? { version: doc.Version } : {}),
    statement: statements.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [lower(k), v]))),
  };
}

describe('AWS managed policies as inline policies', () => {
  it('every one that fits IAM\'s inline size is accepted by a server-side dry run, none refused for a count', async () => {
    const policies = await managedPolicies();
    const limit = IAM_RULES.quotas.roleInlinePoliciesChars.default;
    const names = Object.keys(policies).filter((n) => policySize(policies[n]!) <= limit);
    expect(names.length).toBeGreaterThan(1000);
    const objects = names.map((name, i) => ({
      apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole',
      metadata: { name: `managed-${i}`, namespace: 'default', annotations: { 'example.com/policy': name } },
      spec: {
        assumeRolePolicy: { version: '2012-10-17', statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole' }] },
        inlinePolicies: [{ name: 'Managed', policy: apiSpelling(policies[name]!) }],
      },
    }));
    const file = join(stack.dir, 'managed-policies.json');
    await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    const result = await kubectl(stack, ['create', '--dry-run=server', '-f', file, '-o', 'name']);
    const refused = result.stderr.split('\n').filter(Boolean);
    // Each refusal names its object; say which policy it was.
    const byPolicy = refused.map((line) => {
      const index = /managed-(\d+)/.exec(line)?.[1];
      return `${index === undefined ? '?' : names[Number(index)]}: ${line}`;
    });
    expect(byPolicy).toEqual([]);
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(names.length);
  });
});
