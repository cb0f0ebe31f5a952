// policies/operator-iam-policy.json, the IAM policy recommended for the operator (with
// --permissions-boundary), allows every AWS action the operator's code calls, and nothing
// broader: adding an AWS call without updating the policy fails here. Each action is granted on
// the resource type IAM's catalogue says it is authorized on. (The test bed's emulator enforces
// the policy on every request of the operator: test/integration/operator-iam-policy-enforced.test.ts.)
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogueAction, wildcardRegExp } from '../../src/iam/catalogue.ts';

const root = join(import.meta.dirname, '..', '..');

interface Statement { Sid: string; Effect: 'Allow' | 'Deny'; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, unknown>> }

const policy = async () => JSON.parse(await readFile(join(root, 'policies', 'operator-iam-policy.json'), 'utf8')) as { Version: string; Statement: Statement[] };
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

/** The IAM action prefix of each SDK client the operator uses (STS's GetCallerIdentity needs no permission). */
const PREFIX: Record<string, string | undefined> = { iam: 'iam', lambda: 'lambda', 'bedrock-agent': 'bedrock', sts: undefined };

/** Actions AWS authorizes besides the operation's own, for what the operator sends with it. */
const IMPLIED: Record<string, string[]> = {
  'iam:CreateRole': ['iam:TagRole'], // ownership tags in the create call
  'lambda:GetFunction': ['lambda:ListTags'], // GetFunction returns tags only with lambda:ListTags
  'lambda:CreateFunction': ['lambda:TagResource', 'iam:PassRole', 's3:GetObject', 's3:GetObjectVersion'], // tags, the execution role, S3 code
  'lambda:UpdateFunctionConfiguration': ['iam:PassRole'],
  'lambda:UpdateFunctionCode': ['s3:GetObject', 's3:GetObjectVersion'],
  'bedrock:CreateAgent': ['bedrock:TagResource', 'iam:PassRole'], // tags, the service role
  'bedrock:CreateAgentAlias': ['bedrock:TagResource'], // tags
  'bedrock:UpdateAgent': ['iam:PassRole'],
};

/** Refused by design: with an enforced boundary the operator never removes one. */
const DENIED_BY_DESIGN = ['iam:DeleteRolePermissionsBoundary'];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return (await Promise.all(entries.map((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : Promise.resolve(e.name.endsWith('.ts') ? [join(dir, e.name)] : []))))).flat();
}

/** Every `service:Operation` the operator's code sends, from the Commands each file imports. */
async function actionsInCode(): Promise<Set<string>> {
  const actions = new Set<string>();
  for (const file of await sourceFiles(join(root, 'src'))) {
    const text = await readFile(file, 'utf8');
    for (const [, names, client] of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z-]+)'/g)) {
      const prefix = PREFIX[client!];
      if (!(client! in PREFIX)) throw new Error(`${file} uses @aws-sdk/client-${client}: add its IAM prefix to this test`);
      if (!prefix) continue;
      for (const name of names!.split(',').map((n) => n.trim())) {
        const operation = /^([A-Z]\w+)Command$/.exec(name)?.[1];
        if (operation && text.includes(`new ${name}(`)) actions.add(`${prefix}:${operation}`);
      }
    }
  }
  return actions;
}

const matches = (pattern: string, action: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(action);

describe('the operator\'s IAM policy', () => {
  it('allows every action the operator calls, and what AWS authorizes with them', async () => {
    const { Statement } = await policy();
    const code = await actionsInCode();
    expect(code.size).toBeGreaterThan(40);
    const needed = [...code, ...[...code].flatMap((a) => IMPLIED[a] ?? [])].filter((a) => !DENIED_BY_DESIGN.includes(a));
    const allowed = (action: string) => Statement.some((s) => s.Effect === 'Allow' && list(s.Action).some((p) => matches(p, action)));
    expect([...new Set(needed)].filter((a) => !allowed(a)).sort()).toEqual([]);
    for (const action of DENIED_BY_DESIGN) expect(Statement.some((s) => s.Effect === 'Deny' && list(s.Action).includes(action))).toBe(true);
  });

  it('allows nothing the operator does not call', async () => {
    const code = await actionsInCode();
    const needed = new Set([...code, ...[...code].flatMap((a) => IMPLIED[a] ?? [])]);
    const extra = (await policy()).Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action)).filter((a) => !needed.has(a));
    expect(extra).toEqual([]);
  });

  it('grants each action on a resource of a type IAM authorizes it on', async () => {
    const { Statement } = await policy();
    const fill = (text: string) => text.replaceAll('${AWS_ACCOUNT_ID}', '123456789012').replaceAll('${AWS_REGION}', 'us-east-1');
    const wrong = Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action).flatMap((action) => {
      const types = catalogueAction(action)?.resourceTypes;
      if (!types) return [`${action}: not in IAM's catalogue`];
      const resources = list(s.Resource).map((r) => wildcardRegExp(fill(r)));
      // An ARN of each type, as IAM would authorize the action on it; `*` for an action that takes none.
      const arns = types.length === 0 ? ['*'] : types.map((t) => t.arnFormat.replace(/\$\{(\w+)\}/g, (_, v: string) => ({ Partition: 'aws', Region: 'us-east-1', Account: '123456789012' } as Record<string, string>)[v] ?? 'example'));
      return arns.some((arn) => resources.some((r) => r.test(arn))) ? [] : [`${action} (${s.Sid}): ${list(s.Resource).join(', ')} names no ${types.map((t) => t.name).join(' or ') || '*'}`];
    }));
    expect(wrong).toEqual([]);
  });

  it('scopes every statement to this account, and changes role permissions only within the boundary', async () => {
    const { Version, Statement } = await policy();
    expect(Version).toBe('2012-10-17');
    for (const s of Statement.filter((x) => x.Effect === 'Allow')) {
      for (const resource of list(s.Resource)) {
        // ListAgents and CreateAgent take no resource ARN; S3 objects are scoped by aws:ResourceAccount;
        // AWS managed policies (read for the access check) belong to the account "aws".
        if (resource === '*') expect(s.Sid).toBe('CreateAndFindAgents');
        else if (resource === 'arn:aws:iam::aws:policy/*') expect(list(s.Action).sort()).toEqual(['iam:GetPolicy', 'iam:GetPolicyVersion']);
        else if (resource.startsWith('arn:aws:s3:::')) expect(s.Condition?.StringEquals?.['aws:ResourceAccount']).toBe('${AWS_ACCOUNT_ID}');
        else expect(resource).toContain(':${AWS_ACCOUNT_ID}:');
      }
    }
    const boundary = Statement.find((s) => list(s.Action).includes('iam:CreateRole'))!;
    expect(list(boundary.Action).sort()).toEqual(['iam:AttachRolePolicy', 'iam:CreateRole', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy']);
    expect(boundary.Condition).toEqual({ StringEquals: { 'iam:PermissionsBoundary': '${PERMISSIONS_BOUNDARY_ARN}' } });
    const passRole = Statement.find((s) => list(s.Action).includes('iam:PassRole'))!;
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'bedrock.amazonaws.com'] } });
  });
});
