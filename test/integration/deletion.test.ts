// Deleting objects, with the operator as `npm start` runs it (the default resync): what an owner
// generated is released whatever state the owner got to, and an agent that vanishes while it is
// being deleted is deleted, not an error that waits for the next resync.
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearFaults, injectFault } from '../harness/emulator/faults.ts';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { condition, Resources, type Plural } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

let stack: Stack;
let operator: RunningOperator;
let k8s: Resources;
let iam: IAMClient;

beforeAll(async () => {
  stack = await startStack();
  // No --resync: a deletion must not depend on the next drift check.
  operator = await startOperator(stack, ['--cluster-name', 'test']);
  k8s = new Resources(stack);
  iam = new IAMClient({ endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

const INSTRUCTION = 'You help customers look up their orders and nothing else, politely.';
const APP = { 'app.py': 'def handler(event, context):\n    return {}\n' };

function lambda(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) {
  return {
    apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Lambda', metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: { runtime: 'python3.12', handler: 'app.handler', code: { inline: APP }, ...spec },
  };
}

function agent(name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name, namespace: 'default' },
    spec: { foundationModel: 'anthropic.claude-3-sonnet-20240229-v1:0', instruction: INSTRUCTION, ...spec },
  };
}

const roleExists = (roleName: string) => iam.send(new GetRoleCommand({ RoleName: roleName })).then(() => true, (e: Error) => {
  if (e.name === 'NoSuchEntityException') return false;
  throw e;
});
const objectExists = (plural: Plural, name: string) => k8s.get(plural, name).then(() => true, (e: { code?: number }) => {
  if (e.code === 404) return false;
  throw e;
});

/** Owners that generated their role and then stopped before creating anything in AWS. */
const stuckOwners: { title: string; plural: Plural; name: string; object: unknown; reason: string; roleObject: string; roleName: string }[] = [
  {
    title: 'a Lambda whose code ConfigMap does not exist', plural: 'lambdas', name: 'no-configmap', reason: 'WaitingForConfigMap',
    object: lambda('no-configmap', { code: { configMap: { name: 'missing-code' } } }), roleObject: 'no-configmap-execution-role', roleName: 'no-configmap-execution',
  },
  {
    title: 'a Lambda whose code ConfigMap is not labelled', plural: 'lambdas', name: 'unlabelled', reason: 'ConfigMapNotLabelled',
    object: lambda('unlabelled', { code: { configMap: { name: 'unlabelled-code' } } }), roleObject: 'unlabelled-execution-role', roleName: 'unlabelled-execution',
  },
  {
    title: 'a Lambda with a resource-policy statement Lambda cannot hold', plural: 'lambdas', name: 'deny-statement', reason: 'UnsupportedStatement',
    object: lambda('deny-statement', { resourcePolicy: { statements: [{ sid: 'Deny', effect: 'Deny', principal: { service: 's3.amazonaws.com' }, action: 'lambda:InvokeFunction' }] } }),
    roleObject: 'deny-statement-execution-role', roleName: 'deny-statement-execution',
  },
  {
    title: 'an Agent waiting for a Lambda that does not exist', plural: 'agents', name: 'waits-for-tool', reason: 'WaitingForLambda',
    object: agent('waits-for-tool', { actionGroups: [{ name: 'orders', actionGroupExecutor: { lambda: 'never-applied' }, functionSchema: { functions: [{ name: 'lookup_order' }] } }] }),
    roleObject: 'waits-for-tool-service-role', roleName: 'AmazonBedrockExecutionRoleForAgents_waits-for-tool',
  },
  {
    title: 'an Agent naming a prompt not managed here', plural: 'agents', name: 'prompt-ref', reason: 'UnsupportedPromptReference',
    object: agent('prompt-ref', { promptOverrides: [{ promptType: 'ORCHESTRATION', promptArn: 'arn:aws:bedrock:us-east-1:123456789012:prompt/PROMPT1234' }] }),
    roleObject: 'prompt-ref-service-role', roleName: 'AmazonBedrockExecutionRoleForAgents_prompt-ref',
  },
];

describe('deletion', () => {
  it('releases the generated role of an owner that never got past resolving: no IAMRole object and no IAM role remain', async () => {
    await kubectl(stack, ['create', 'configmap', 'unlabelled-code', '--from-literal=app.py=x = 1']);
    await kubectlApply(stack, stuckOwners.map((o) => o.object));
    for (const owner of stuckOwners) {
      await k8s.waitForCondition(owner.plural, owner.name, 'Synced', 'False', { reason: owner.reason, timeoutMs: 60_000 });
      expect(await roleExists(owner.roleName), `${owner.title}: its generated role exists in AWS`).toBe(true);
    }
    await kubectl(stack, ['delete', ...stuckOwners.map((o) => `${o.plural}/${o.name}`), '--wait=false']);
    for (const owner of stuckOwners) {
      await waitFor(`${owner.title}: owner, IAMRole object and IAM role gone`, async () =>
        (!(await objectExists(owner.plural, owner.name)) && !(await objectExists('iamroles', owner.roleObject)) && !(await roleExists(owner.roleName))) || undefined,
      { timeoutMs: 30_000 });
    }
  });

  it('with deletion policy retain keeps the generated role of such an owner, in Kubernetes and in AWS, marked retained', async () => {
    await kubectlApply(stack, [lambda('kept-waiting', { code: { configMap: { name: 'missing-too' } } }, { 'bedrockforge.io/deletion-policy': 'retain' })]);
    await k8s.waitForCondition('lambdas', 'kept-waiting', 'Synced', 'False', { reason: 'WaitingForConfigMap', timeoutMs: 60_000 });
    await kubectl(stack, ['delete', 'lambdas/kept-waiting']);
    await waitFor('the Lambda gone', async () => !(await objectExists('lambdas', 'kept-waiting')) || undefined, { timeoutMs: 30_000 });
    const role = await k8s.get('iamroles', 'kept-waiting-execution-role');
    expect(role.metadata.annotations?.['bedrockforge.io/deletion-policy']).toBe('retain');
    expect(condition(role, 'Ready')?.status).toBe('True');
    expect(await roleExists('kept-waiting-execution')).toBe(true);
  });

  it('deletes an Agent whose agent vanishes during the deletion within seconds, with the default resync', async () => {
    await kubectlApply(stack, [agent('vanishing', {})]);
    await waitFor('the agent prepared', async () => condition(await k8s.get('agents', 'vanishing'), 'Ready')?.status === 'True' || undefined, { timeoutMs: 60_000 });
    // The agent is gone by the time its tags are read (Bedrock answers ResourceNotFound).
    await injectFault(stack.awsEndpoint, { service: 'bedrock-agent', operation: 'ListTagsForResource', status: 404, code: 'ResourceNotFoundException', message: 'Agent not found', count: -1 });
    try {
      const started = Date.now();
      await kubectl(stack, ['delete', 'agents/vanishing', '--wait=false']);
      await waitFor('the Agent object gone', async () => !(await objectExists('agents', 'vanishing')) || undefined, { timeoutMs: 20_000 });
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await clearFaults(stack.awsEndpoint);
    }
  });
});
