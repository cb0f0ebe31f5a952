// The listings the operator observes in bulk, as the emulator serves them (iam_ext.py, lambda_ext.py,
// bedrock_agent_ext.py): IAM's GetAccountAuthorizationDetails and ListRoles, Lambda's ListFunctions
// and bedrock-agent's ListAgents page as AWS does (limits, markers, stable order), return AWS's
// shapes, and can be throttled by operation (faults_ext.py). Also what changes a Lambda function's
// RevisionId. Only the emulator runs here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BedrockAgentClient, CreateAgentAliasCommand, CreateAgentCommand, DeleteAgentCommand, GetAgentCommand, ListAgentsCommand, PrepareAgentCommand,
  UpdateAgentCommand, type AgentSummary,
} from '@aws-sdk/client-bedrock-agent';
import {
  AddRoleToInstanceProfileCommand, AttachRolePolicyCommand, CreateGroupCommand, CreateInstanceProfileCommand, CreatePolicyCommand, CreateRoleCommand,
  CreateUserCommand, DeleteRoleCommand, GetAccountAuthorizationDetailsCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, ListRolesCommand,
  PutRolePolicyCommand, type EntityType, type GetAccountAuthorizationDetailsCommandInput, type RoleDetail,
} from '@aws-sdk/client-iam';
import {
  AddPermissionCommand, CreateFunctionCommand, DeleteFunctionCommand, GetFunctionCommand, GetPolicyCommand, LambdaClient, ListFunctionsCommand,
  RemovePermissionCommand, TagResourceCommand, UntagResourceCommand, type FunctionConfiguration, type ListFunctionsCommandInput,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failure } from '../harness/aws-failure.ts';
import { ensureEmulator, resetAws, startEmulator, type Emulator } from '../harness/emulator/emulator.ts';
import { injectFault, listFaults } from '../harness/emulator/faults.ts';
import { waitFor } from '../harness/wait.ts';
import { codeSha256, zipArchive } from '../harness/zip.ts';

const ACCOUNT = '123456789012';
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const AGENT_ROLE = `arn:aws:iam::${ACCOUNT}:role/agent-service-role`;
const WAIT = { timeoutMs: 10_000, intervalMs: 50 };
const trustPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const readPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my bucket/*' }],
});
const helloZip = zipArchive({ 'index.mjs': 'export const handler = async () => "hello";\n' });

let dir: string;
let emulator: Emulator;
let iam: IAMClient;
let lambda: LambdaClient;
let bedrock: BedrockAgentClient;
/** Clients with the SDK's default retries (three attempts), for the throttling tests. */
let retrying: { iam: IAMClient; lambda: LambdaClient; bedrock: BedrockAgentClient };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emulator-listings-'));
  const python = await ensureEmulator();
  // Functions are Active and agents settle at once, or nearly: these tests are about listings.
  const saved = { lambda: process.env.MOTO_LAMBDA_DELAY_SECONDS, agent: process.env.MOTO_BEDROCK_AGENT_DELAY_SECONDS };
  process.env.MOTO_LAMBDA_DELAY_SECONDS = '0';
  process.env.MOTO_BEDROCK_AGENT_DELAY_SECONDS = '0.2';
  try {
    emulator = await startEmulator(python, join(dir, 'moto.log'));
  } finally {
    for (const [key, value] of [['MOTO_LAMBDA_DELAY_SECONDS', saved.lambda], ['MOTO_BEDROCK_AGENT_DELAY_SECONDS', saved.agent]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  const config = { endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  iam = new IAMClient({ ...config, maxAttempts: 1 });
  lambda = new LambdaClient({ ...config, maxAttempts: 1 });
  bedrock = new BedrockAgentClient({ ...config, maxAttempts: 1 });
  retrying = { iam: new IAMClient(config), lambda: new LambdaClient(config), bedrock: new BedrockAgentClient(config) };
});

afterAll(async () => {
  await emulator?.process.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await resetAws(emulator.endpoint); // and the fault rules
});

const pad = (i: number) => String(i).padStart(3, '0');

async function createRoles(count: number, prefix = 'role'): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${pad(i)}`);
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(names.slice(i, i + 20).map((RoleName) => iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trustPolicy }))));
  }
  return names;
}

async function createFunctions(count: number): Promise<string[]> {
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'fn-role', AssumeRolePolicyDocument: trustPolicy }));
  const names = Array.from({ length: count }, (_, i) => `fn-${pad(i)}`);
  for (let i = 0; i < names.length; i += 10) {
    await Promise.all(names.slice(i, i + 10).map((FunctionName) => lambda.send(new CreateFunctionCommand({
      FunctionName, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: Role!.Arn!, Code: { ZipFile: helloZip },
    }))));
  }
  return names;
}

/** Every page of GetAccountAuthorizationDetails, following Marker while IsTruncated. */
async function allAuthorizationDetails(input: GetAccountAuthorizationDetailsCommandInput, between?: (page: number, roles: RoleDetail[]) => Promise<void>) {
  const pages = [];
  let Marker: string | undefined;
  do {
    const page = await iam.send(new GetAccountAuthorizationDetailsCommand({ ...input, Marker }));
    pages.push(page);
    Marker = page.IsTruncated ? page.Marker : undefined;
    if (Marker && between) await between(pages.length, page.RoleDetailList!);
  } while (Marker);
  return pages;
}

describe('IAM GetAccountAuthorizationDetails', () => {
  it('pages roles MaxItems at a time, with IsTruncated and Marker, each role once in a stable order', async () => {
    const names = await createRoles(7);

    const pages = await allAuthorizationDetails({ Filter: ['Role'], MaxItems: 3 });

    expect(pages.map((p) => [p.RoleDetailList?.length, p.IsTruncated, typeof p.Marker])).toEqual([[3, true, 'string'], [3, true, 'string'], [1, false, 'undefined']]);
    const listed = pages.flatMap((p) => p.RoleDetailList!.map((r) => r.RoleName!));
    expect([...listed].sort()).toEqual(names);
    // The same order every time: by RoleId, as moto's ListRoles.
    const again = (await allAuthorizationDetails({ Filter: ['Role'], MaxItems: 5 })).flatMap((p) => p.RoleDetailList!.map((r) => r.RoleName!));
    expect(again).toEqual(listed);
    const ids = pages.flatMap((p) => p.RoleDetailList!.map((r) => r.RoleId!));
    expect(ids).toEqual([...ids].sort());
  });

  it('gives 100 items by default and up to 1,000 a page', async () => {
    await createRoles(105);

    const first = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }));
    expect(first.RoleDetailList).toHaveLength(100);
    expect(first.IsTruncated).toBe(true);
    const rest = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], Marker: first.Marker }));
    expect(rest.RoleDetailList).toHaveLength(5);
    expect(rest.IsTruncated).toBe(false);

    const all = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: 1000 }));
    expect(all.RoleDetailList).toHaveLength(105);
    expect(all.IsTruncated).toBe(false);
    expect(all.Marker).toBeUndefined();
  });

  it('neither skips nor repeats a role when others are deleted between two pages', async () => {
    const names = await createRoles(9);

    const pages = await allAuthorizationDetails({ Filter: ['Role'], MaxItems: 3 }, async (page, roles) => {
      // Delete two roles the first page had: a position-based marker would then skip two others.
      if (page === 1) for (const { RoleName } of roles.slice(0, 2)) await iam.send(new DeleteRoleCommand({ RoleName }));
    });

    const listed = pages.flatMap((p) => p.RoleDetailList!.map((r) => r.RoleName!));
    expect([...listed].sort()).toEqual(names);
  });

  it('applies Filter exactly: with Role, no users, groups or policies', async () => {
    await createRoles(2);
    await iam.send(new CreateUserCommand({ UserName: 'someone' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'people' }));
    await iam.send(new CreatePolicyCommand({ PolicyName: 'read', PolicyDocument: readPolicy }));

    const roles = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: 1000 }));
    expect(roles.RoleDetailList!.map((r) => r.RoleName)).toHaveLength(2);
    expect([roles.UserDetailList, roles.GroupDetailList, roles.Policies]).toEqual([[], [], []]);

    const users = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User', 'LocalManagedPolicy'] }));
    expect([users.UserDetailList!.map((u) => u.UserName), users.GroupDetailList, users.RoleDetailList, users.Policies!.length]).toEqual([['someone'], [], [], 1]);
    // MaxItems counts the items of all the lists; a page walks users, groups, roles, then policies.
    const mixed = await allAuthorizationDetails({ Filter: ['Role', 'User'], MaxItems: 2 });
    expect(mixed.map((p) => [p.UserDetailList!.map((u) => u.UserName), p.RoleDetailList!.length])).toEqual([[['someone'], 1], [[], 1]]);
  });

  it('returns AWS\'s RoleDetail, its policy documents URL-encoded as GetRole and GetRolePolicy return them', async () => {
    const { Policy: boundary } = await iam.send(new CreatePolicyCommand({ PolicyName: 'boundary', PolicyDocument: readPolicy }));
    const { Policy: attached } = await iam.send(new CreatePolicyCommand({ PolicyName: 'attached', PolicyDocument: readPolicy, Path: '/team/' }));
    await iam.send(new CreateRoleCommand({
      RoleName: 'detailed', Path: '/app/', AssumeRolePolicyDocument: trustPolicy, Description: 'a role', MaxSessionDuration: 7200,
      PermissionsBoundary: boundary!.Arn, Tags: [{ Key: 'team', Value: 'payments' }],
    }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'detailed', PolicyName: 'inline', PolicyDocument: readPolicy }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'detailed', PolicyArn: attached!.Arn }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'profile' }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'profile', RoleName: 'detailed' }));

    const [role] = (await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }))).RoleDetailList as [RoleDetail];
    const { Role: got } = await iam.send(new GetRoleCommand({ RoleName: 'detailed' }));
    const { PolicyDocument: inline } = await iam.send(new GetRolePolicyCommand({ RoleName: 'detailed', PolicyName: 'inline' }));

    expect(role).toEqual({
      Path: '/app/', RoleName: 'detailed', RoleId: got!.RoleId, Arn: `arn:aws:iam::${ACCOUNT}:role/app/detailed`, CreateDate: got!.CreateDate,
      AssumeRolePolicyDocument: got!.AssumeRolePolicyDocument,
      InstanceProfileList: [expect.objectContaining({ InstanceProfileName: 'profile', Roles: [expect.objectContaining({ RoleName: 'detailed' })] })],
      RolePolicyList: [{ PolicyName: 'inline', PolicyDocument: inline }],
      AttachedManagedPolicies: [{ PolicyName: 'attached', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/team/attached` }],
      PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: boundary!.Arn },
      Tags: [{ Key: 'team', Value: 'payments' }],
      RoleLastUsed: {},
    });
    // URL-encoded JSON (RFC 3986), the document that was sent once decoded.
    for (const encoded of [role.AssumeRolePolicyDocument!, role.RolePolicyList![0]!.PolicyDocument!, role.InstanceProfileList![0]!.Roles![0]!.AssumeRolePolicyDocument!]) {
      expect(encoded).toMatch(/^%7B/);
      expect(encoded).not.toMatch(/[ "{}]/);
    }
    expect(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!))).toEqual(JSON.parse(trustPolicy));
    expect(JSON.parse(decodeURIComponent(role.RolePolicyList![0]!.PolicyDocument!))).toEqual(JSON.parse(readPolicy));
  });

  it('refuses MaxItems outside 1..1000, a Marker it did not give and an unknown Filter with ValidationError', async () => {
    const refused = (input: GetAccountAuthorizationDetailsCommandInput) => failure(iam.send(new GetAccountAuthorizationDetailsCommand(input)));

    expect(await refused({ Filter: ['Role'], MaxItems: 0 })).toEqual({
      name: 'ValidationError', status: 400,
      message: '1 validation error detected: Value \'0\' at \'maxItems\' failed to satisfy constraint: Member must have value greater than or equal to 1',
    });
    expect(await refused({ Filter: ['Role'], MaxItems: 1001 })).toEqual({
      name: 'ValidationError', status: 400,
      message: '1 validation error detected: Value \'1001\' at \'maxItems\' failed to satisfy constraint: Member must have value less than or equal to 1000',
    });
    expect(await refused({ Filter: ['Role'], Marker: 'not-a-marker' })).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(await refused({ Filter: ['Roles' as EntityType], MaxItems: 0 })).toMatchObject({
      name: 'ValidationError', message: expect.stringMatching(/^2 validation errors detected: Value '\[Roles\]' at 'filter' failed to satisfy constraint: .*enum value set: \[User, Role, Group, LocalManagedPolicy, AWSManagedPolicy\].*; Value '0' at 'maxItems'/),
    });
    // The limits themselves are accepted.
    expect((await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: 1 }))).IsTruncated).toBe(false);
    expect((await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: 1000 }))).IsTruncated).toBe(false);
  });
});

describe('IAM ListRoles', () => {
  it('pages with MaxItems up to 1,000 and Marker, each role once, and refuses MaxItems outside 1..1000', async () => {
    const names = await createRoles(7);
    const listed: string[] = [];
    let Marker: string | undefined;
    let pages = 0;
    do {
      const page = await iam.send(new ListRolesCommand({ MaxItems: 3, Marker }));
      pages += 1;
      listed.push(...page.Roles!.map((r) => r.RoleName!));
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);

    expect(pages).toBe(3);
    expect([...listed].sort()).toEqual(names);
    expect((await iam.send(new ListRolesCommand({ MaxItems: 1000 }))).Roles).toHaveLength(7);
    expect(await failure(iam.send(new ListRolesCommand({ MaxItems: 0 })))).toMatchObject({ name: 'ValidationError', status: 400, message: expect.stringContaining('greater than or equal to 1') });
    expect(await failure(iam.send(new ListRolesCommand({ MaxItems: 1001 })))).toMatchObject({ name: 'ValidationError', status: 400, message: expect.stringContaining('less than or equal to 1000') });
    expect(await failure(iam.send(new ListRolesCommand({ Marker: 'not-a-marker' })))).toMatchObject({ name: 'ValidationError' });
  });

  it('returns Description and MaxSessionDuration, not Tags, PermissionsBoundary or RoleLastUsed, and the trust policy URL-encoded', async () => {
    const { Policy: boundary } = await iam.send(new CreatePolicyCommand({ PolicyName: 'boundary', PolicyDocument: readPolicy }));
    await iam.send(new CreateRoleCommand({
      RoleName: 'described', AssumeRolePolicyDocument: trustPolicy, Description: 'a role', MaxSessionDuration: 7200,
      PermissionsBoundary: boundary!.Arn, Tags: [{ Key: 'team', Value: 'payments' }],
    }));
    const { Role: got } = await iam.send(new GetRoleCommand({ RoleName: 'described' }));

    const role = (await iam.send(new ListRolesCommand({}))).Roles![0]!;

    expect(role).toEqual({
      Path: '/', RoleName: 'described', RoleId: got!.RoleId, Arn: got!.Arn, CreateDate: got!.CreateDate,
      AssumeRolePolicyDocument: got!.AssumeRolePolicyDocument, Description: 'a role', MaxSessionDuration: 7200,
    });
    expect(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!))).toEqual(JSON.parse(trustPolicy));
  });
});

describe('Lambda ListFunctions', () => {
  /** Every page of ListFunctions, following NextMarker. */
  async function allFunctions(input: ListFunctionsCommandInput, between?: (page: number, functions: FunctionConfiguration[]) => Promise<void>) {
    const pages: FunctionConfiguration[][] = [];
    let Marker: string | undefined;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ ...input, Marker }));
      pages.push(page.Functions!);
      Marker = page.NextMarker;
      if (Marker && between) await between(pages.length, page.Functions!);
    } while (Marker);
    return pages;
  }

  it('returns at most 50 functions a page whatever MaxItems says, then NextMarker; MaxItems 1..10000', async () => {
    const names = await createFunctions(55);

    const unbounded = await lambda.send(new ListFunctionsCommand({}));
    expect(unbounded.Functions).toHaveLength(50);
    expect(unbounded.NextMarker).toEqual(expect.any(String));
    const most = await lambda.send(new ListFunctionsCommand({ MaxItems: 10_000 }));
    expect(most.Functions).toHaveLength(50);
    const rest = await lambda.send(new ListFunctionsCommand({ MaxItems: 10_000, Marker: most.NextMarker }));
    expect(rest.Functions).toHaveLength(5);
    expect(rest.NextMarker).toBeUndefined();

    const pages = await allFunctions({ MaxItems: 20 });
    expect(pages.map((p) => p.length)).toEqual([20, 20, 15]);
    // By name, every function once.
    expect(pages.flat().map((f) => f.FunctionName)).toEqual(names);
  });

  it('neither skips nor repeats a function when others are deleted between two pages', async () => {
    const names = await createFunctions(12);

    const pages = await allFunctions({ MaxItems: 5 }, async (page, functions) => {
      if (page === 1) for (const fn of functions.slice(0, 3)) await lambda.send(new DeleteFunctionCommand({ FunctionName: fn.FunctionName }));
    });

    expect(pages.flat().map((f) => f.FunctionName)).toEqual(names);
  });

  it('lists each function\'s configuration with RevisionId, CodeSha256 and LastModified, as GetFunction has them', async () => {
    await createFunctions(2);

    const listed = (await lambda.send(new ListFunctionsCommand({}))).Functions!;

    for (const fn of listed) {
      const { Configuration: got } = await lambda.send(new GetFunctionCommand({ FunctionName: fn.FunctionName }));
      expect(fn).toMatchObject({
        FunctionName: got!.FunctionName, FunctionArn: got!.FunctionArn, Runtime: 'nodejs22.x', Role: got!.Role, Handler: 'index.handler',
        RevisionId: got!.RevisionId, CodeSha256: codeSha256(helloZip), CodeSize: got!.CodeSize, LastModified: got!.LastModified, Version: '$LATEST',
      });
      expect(fn.RevisionId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('refuses MaxItems outside 1..10000 with ValidationException, and a Marker it did not give', async () => {
    expect(await failure(lambda.send(new ListFunctionsCommand({ MaxItems: 0 })))).toEqual({
      name: 'ValidationException', status: 400,
      message: '1 validation error detected: Value \'0\' at \'maxItems\' failed to satisfy constraint: Member must have value greater than or equal to 1',
    });
    expect(await failure(lambda.send(new ListFunctionsCommand({ MaxItems: 10_001 })))).toMatchObject({
      name: 'ValidationException', status: 400, message: expect.stringContaining('less than or equal to 10000'),
    });
    expect(await failure(lambda.send(new ListFunctionsCommand({ Marker: 'not-a-marker' })))).toMatchObject({ name: 'InvalidParameterValueException', status: 400 });
    expect((await lambda.send(new ListFunctionsCommand({ MaxItems: 1 }))).Functions).toEqual([]);
  });
});

describe('a Lambda function\'s RevisionId', () => {
  const revision = async (FunctionName: string) => (await lambda.send(new GetFunctionCommand({ FunctionName }))).Configuration!;

  it('changes with TagResource and UntagResource, without an update running', async () => {
    const name = (await createFunctions(1))[0]!;
    const before = await revision(name);

    await lambda.send(new TagResourceCommand({ Resource: before.FunctionArn, Tags: { team: 'payments' } }));
    const tagged = await revision(name);
    await lambda.send(new UntagResourceCommand({ Resource: before.FunctionArn, TagKeys: ['team'] }));
    const untagged = await revision(name);

    expect(new Set([before.RevisionId, tagged.RevisionId, untagged.RevisionId]).size).toBe(3);
    expect([tagged.LastUpdateStatus, untagged.LastUpdateStatus]).toEqual(['Successful', 'Successful']);
    // The listing shows the same revision.
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions![0]!.RevisionId).toBe(untagged.RevisionId);
  });

  it('stays when the resource-based policy changes; the policy has a RevisionId of its own, which AddPermission and RemovePermission change', async () => {
    const name = (await createFunctions(1))[0]!;
    const before = (await revision(name)).RevisionId;
    const grant = (StatementId: string, RevisionId?: string) => lambda.send(new AddPermissionCommand({
      FunctionName: name, StatementId, Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', RevisionId,
    }));
    const policyRevision = async () => (await lambda.send(new GetPolicyCommand({ FunctionName: name }))).RevisionId!;

    await grant('first');
    const first = await policyRevision();
    await grant('second', first);
    const second = await policyRevision();
    await lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: 'first', RevisionId: second }));
    const third = await policyRevision();

    expect(new Set([first, second, third]).size).toBe(3);
    expect([first, second, third]).not.toContain(before);
    expect((await revision(name)).RevisionId).toBe(before);
    // A stale policy revision is refused, as AWS words it (the function's RevisionId is no policy revision).
    const stale = { name: 'PreconditionFailedException', status: 412, message: 'The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id' };
    expect(await failure(grant('third', second))).toEqual(stale);
    expect(await failure(grant('third', before))).toEqual(stale);
    expect(await failure(lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: 'second', RevisionId: first })))).toEqual(stale);
    expect(await policyRevision()).toBe(third);
  });
});

describe('bedrock-agent ListAgents', () => {
  const createAgent = async (agentName: string) =>
    (await bedrock.send(new CreateAgentCommand({ agentName, foundationModel: MODEL, instruction: 'You answer questions about orders for customers.', agentResourceRoleArn: AGENT_ROLE }))).agent!;
  const summaries = async (): Promise<AgentSummary[]> => (await bedrock.send(new ListAgentsCommand({ maxResults: 1000 }))).agentSummaries!;
  const summaryOf = async (agentId: string) => (await summaries()).find((s) => s.agentId === agentId)!;

  it('pages with maxResults and nextToken, in creation order, neither skipping nor repeating an agent deleted meanwhile', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `agent-${i}`);
    for (const name of names) await createAgent(name);

    const listed: string[] = [];
    let nextToken: string | undefined;
    let page = 0;
    do {
      const response = await bedrock.send(new ListAgentsCommand({ maxResults: 3, nextToken }));
      page += 1;
      listed.push(...response.agentSummaries!.map((a) => a.agentName!));
      nextToken = response.nextToken;
      if (page === 1) {
        // Deleted agents go DELETING, then away: wait until both are gone.
        for (const agent of response.agentSummaries!.slice(0, 2)) await bedrock.send(new DeleteAgentCommand({ agentId: agent.agentId }));
        await waitFor('the deleted agents to be gone', async () => ((await summaries()).length === 5 ? true : undefined), WAIT);
      }
    } while (nextToken);

    expect(listed).toEqual(names);
    expect(await summaries()).toHaveLength(5);
  });

  it('refuses maxResults outside 1..1000 and a nextToken it did not give, with ValidationException', async () => {
    await createAgent('only');

    expect(await failure(bedrock.send(new ListAgentsCommand({ maxResults: 0 })))).toEqual({
      name: 'ValidationException', status: 400,
      message: '1 validation error detected: Value \'0\' at \'maxResults\' failed to satisfy constraint: Member must have value greater than or equal to 1',
    });
    expect(await failure(bedrock.send(new ListAgentsCommand({ maxResults: 1001 })))).toMatchObject({
      name: 'ValidationException', status: 400, message: expect.stringContaining('less than or equal to 1000'),
    });
    expect(await failure(bedrock.send(new ListAgentsCommand({ nextToken: 'not-a-token' })))).toMatchObject({ name: 'ValidationException', status: 400 });
    expect((await bedrock.send(new ListAgentsCommand({ maxResults: 1 }))).agentSummaries).toHaveLength(1);
  });

  it('summarises each agent with agentStatus, updatedAt and latestAgentVersion, which follow its changes', async () => {
    const agent = await createAgent('summarised');
    const created = await summaryOf(agent.agentId!);
    expect(created).toEqual({
      agentId: agent.agentId, agentName: 'summarised', agentStatus: 'NOT_PREPARED', updatedAt: agent.updatedAt, latestAgentVersion: 'DRAFT',
    });
    expect(created.updatedAt).toBeInstanceOf(Date);

    // updatedAt moves with a change to the DRAFT.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await bedrock.send(new UpdateAgentCommand({
      agentId: agent.agentId, agentName: 'summarised', foundationModel: MODEL, instruction: 'You answer questions about returns for customers.',
      agentResourceRoleArn: AGENT_ROLE, description: 'returns',
    }));
    const updated = await summaryOf(agent.agentId!);
    expect(updated.updatedAt!.getTime()).toBeGreaterThan(created.updatedAt!.getTime());
    expect(updated).toMatchObject({ description: 'returns', updatedAt: (await bedrock.send(new GetAgentCommand({ agentId: agent.agentId }))).agent!.updatedAt });

    // agentStatus follows preparation, latestAgentVersion the versions an alias makes.
    await bedrock.send(new PrepareAgentCommand({ agentId: agent.agentId }));
    expect((await summaryOf(agent.agentId!)).agentStatus).toBe('PREPARING');
    await waitFor('the agent to be PREPARED', async () => ((await summaryOf(agent.agentId!)).agentStatus === 'PREPARED' ? true : undefined), WAIT);
    await bedrock.send(new CreateAgentAliasCommand({ agentId: agent.agentId, agentAliasName: 'live' }));
    expect(await summaryOf(agent.agentId!)).toMatchObject({ latestAgentVersion: '1' });
  });
});

describe('requests of several services at once (service_locks.py)', () => {
  it('answers listings, reads and writes of IAM, Lambda and bedrock-agent side by side, without an error', async () => {
    await createRoles(200, 'base');
    const failures: string[] = [];
    const record = (what: string) => (error: unknown) => { failures.push(`${what}: ${(error as Error).name} ${(error as Error).message}`); };
    const creating = (async () => {
      for (let i = 0; i < 200; i += 10) {
        await Promise.all(Array.from({ length: 10 }, (_, j) => `more-${pad(i + j)}`).map((RoleName) =>
          iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trustPolicy })).catch(record(`CreateRole ${RoleName}`))));
      }
    })();
    const listing = Promise.all(Array.from({ length: 8 }, () =>
      iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: 1000 })).catch(record('GetAccountAuthorizationDetails'))));
    // The role listings copy their page and turn it into XML outside IAM's lock: writes to the
    // roles being copied or rendered must not break them.
    const writing = (async () => {
      for (let i = 0; i < 200; i += 10) {
        await Promise.all(Array.from({ length: 10 }, (_, j) => `base-${pad(i + j)}`).map((RoleName) =>
          iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'read', PolicyDocument: readPolicy })).catch(record(`PutRolePolicy ${RoleName}`))));
      }
    })();
    const listingRoles = Promise.all(Array.from({ length: 4 }, () =>
      iam.send(new ListRolesCommand({ MaxItems: 1000 })).catch(record('ListRoles'))));
    const reading = Promise.all(Array.from({ length: 40 }, (_, i) =>
      iam.send(new GetRoleCommand({ RoleName: `base-${pad(i)}` })).catch(record('GetRole'))));
    const others = Promise.all([
      ...Array.from({ length: 10 }, () => lambda.send(new ListFunctionsCommand({})).catch(record('ListFunctions'))),
      ...Array.from({ length: 10 }, () => bedrock.send(new ListAgentsCommand({})).catch(record('ListAgents'))),
    ]);
    await Promise.all([creating, writing, listing, listingRoles, reading, others]);
    expect(failures).toEqual([]);
    const roles = (await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: 1000 }))).RoleDetailList ?? [];
    expect(roles).toHaveLength(400);
    expect(roles.filter((role) => role.RolePolicyList?.length === 1).map((role) => role.RoleName).sort()).toEqual(Array.from({ length: 200 }, (_, i) => `base-${pad(i)}`));
  });
});

describe('throttling injected on the listings, by operation', () => {
  it('throttles GetAccountAuthorizationDetails and ListRoles in IAM\'s format, other IAM calls pass', async () => {
    await createRoles(1);
    await injectFault(emulator.endpoint, { service: 'iam', operation: 'GetAccountAuthorizationDetails', status: 400, code: 'Throttling', count: 2 });
    await injectFault(emulator.endpoint, { service: 'iam', operation: 'ListRoles', status: 400, code: 'Throttling', count: 1 });
    const throttled = { name: 'Throttling', message: 'Rate exceeded', status: 400 };

    expect(await failure(iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] })))).toEqual(throttled);
    expect(await failure(iam.send(new ListRolesCommand({})))).toEqual(throttled);
    expect((await iam.send(new GetRoleCommand({ RoleName: 'role-000' }))).Role?.RoleName).toBe('role-000');
    // The SDK's own retries absorb the second throttle.
    const details = await retrying.iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }));
    expect([details.RoleDetailList?.length, details.$metadata.attempts]).toEqual([1, 2]);
    expect((await iam.send(new ListRolesCommand({}))).Roles).toHaveLength(1);
    expect((await listFaults(emulator.endpoint)).map((f) => [f.operation, f.failed, f.remaining])).toEqual([['GetAccountAuthorizationDetails', 2, 0], ['ListRoles', 1, 0]]);
  });

  it('throttles ListFunctions with Lambda\'s 429, and ListAgents with bedrock-agent\'s, until the rule is spent', async () => {
    await createFunctions(1);
    await createAgent('throttled');
    await injectFault(emulator.endpoint, { service: 'lambda', operation: 'ListFunctions', status: 429, code: 'TooManyRequestsException', count: -1 });
    await injectFault(emulator.endpoint, { service: 'bedrock-agent', operation: 'ListAgents', status: 429, code: 'ThrottlingException', count: 1 });

    expect(await failure(lambda.send(new ListFunctionsCommand({})))).toEqual({ name: 'TooManyRequestsException', message: 'Rate exceeded', status: 429 });
    expect(await failure(retrying.lambda.send(new ListFunctionsCommand({})))).toMatchObject({ name: 'TooManyRequestsException' });
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'fn-000' }))).Configuration?.FunctionName).toBe('fn-000');
    expect(await failure(bedrock.send(new ListAgentsCommand({})))).toEqual({ name: 'ThrottlingException', message: 'Rate exceeded', status: 429 });
    expect((await bedrock.send(new ListAgentsCommand({}))).agentSummaries).toHaveLength(1);
    // count -1: every request until the rules are cleared (here, a failed first try and two retries).
    expect((await listFaults(emulator.endpoint)).map((f) => [f.operation, f.failed])).toEqual([['ListFunctions', 4], ['ListAgents', 1]]);
  });

  async function createAgent(agentName: string) {
    await retrying.bedrock.send(new CreateAgentCommand({ agentName, foundationModel: MODEL, instruction: 'You answer questions about orders for customers.', agentResourceRoleArn: AGENT_ROLE }));
  }
});
