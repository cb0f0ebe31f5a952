// The Guardrail controller against the real apiserver and the emulator's Bedrock guardrails: a
// guardrail converges with its policies, and an Agent naming it by spec.guardrail.name (applied in
// the same kubectl apply, Agent first) gets it as its guardrail, with a generated role that may
// apply exactly that guardrail; a change behind the operator's back is reverted within a resync; a
// guardrail in sync costs reads only; bad input is refused at apply; deletion removes the guardrail
// (retain keeps it).
import { BedrockClient, GetGuardrailCommand, UpdateGuardrailCommand } from '@aws-sdk/client-bedrock';
import { BedrockAgentClient, GetAgentCommand } from '@aws-sdk/client-bedrock-agent';
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIamPolicy, type AnyPolicy } from '../../src/aws/iam/policy-json.ts';
import { authorize } from '../../src/iam/evaluator/authorize.ts';
import type { PolicySet } from '../../src/iam/evaluator/types.ts';
import { isWrite, recordedCalls, startRecording } from '../harness/emulator/recorder.ts';
import { kubectl, kubectlApply } from '../harness/kubectl.ts';
import { startOperator, type RunningOperator } from '../harness/operator.ts';
import { Resources, type TestResource } from '../harness/resources.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';

const RESYNC_S = 2;
const ACCOUNT = '123456789012';
let stack: Stack;
let operator: RunningOperator;
let k8s: Resources;
let bedrock: BedrockClient;
let agents: BedrockAgentClient;
let iam: IAMClient;

beforeAll(async () => {
  stack = await startStack();
  operator = await startOperator(stack, ['--resync', String(RESYNC_S), '--cluster-name', 'test']);
  const aws = { endpoint: stack.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  bedrock = new BedrockClient(aws);
  agents = new BedrockAgentClient(aws);
  iam = new IAMClient(aws);
  k8s = new Resources(stack);
});
afterAll(async () => {
  await operator?.stop();
  await stack?.stop();
});

const CONTENT = { filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' }, { type: 'INSULTS', inputStrength: 'MEDIUM', outputStrength: 'HIGH' }] };

/** Bedrock Forge's content-safety example, as its manifests write it (no blocked messages, no name). */
function guardrail(name: string, annotations?: Record<string, string>) {
  return {
    apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Guardrail', metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: {
      description: 'Content safety for customer support',
      contentPolicyConfig: CONTENT,
      sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }, { type: 'US_SOCIAL_SECURITY_NUMBER', action: 'BLOCK' }] },
      contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'GROUNDING', threshold: 0.7 }] },
      wordPolicyConfig: { wordsConfig: [{ text: 'confidential' }], managedWordListsConfig: [{ type: 'PROFANITY' }] },
      tags: { Team: 'support' },
    },
  };
}

const agent = {
  apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name: 'safe-assistant', namespace: 'default' },
  spec: {
    foundationModel: 'anthropic.claude-3-haiku-20240307-v1:0',
    instruction: 'You answer customer questions politely and never reveal personal information.',
    guardrail: { name: { ref: 'support-safety' } },
  },
};

const waitReady = (name: string) => k8s.waitForReadyGeneration('guardrails', name, 'default', 60_000);
const draftOf = (o: TestResource) => bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: o.status?.guardrailId as string }));

/** Whether the Agent's generated role allows `action` on `resource` (the repo's IAM evaluator on the policy in IAM). */
async function agentRoleAllows(action: string, resource: string): Promise<boolean> {
  const role = 'AmazonBedrockExecutionRoleForAgents_safe-assistant';
  const document = parseIamPolicy((await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: 'AgentPermissions' }))).PolicyDocument!) as AnyPolicy;
  const request = { principal: { type: 'AWS' as const, arn: `arn:aws:iam::${ACCOUNT}:role/${role}`, account: ACCOUNT }, action, resource, resourceAccount: ACCOUNT, context: {} };
  return authorize(request, { identity: [{ name: 'AgentPermissions', document }] } as unknown as PolicySet).decision === 'Allow';
}

describe('Guardrail controller', () => {
  it('converges a guardrail with its policies, and an Agent naming it (applied first) uses it, its role applying exactly that guardrail', async () => {
    const applied = await kubectlApply(stack, [agent, guardrail('support-safety')]);
    expect(applied.code, applied.stderr).toBe(0);
    const ready = await waitReady('support-safety');
    const id = ready.status?.guardrailId as string;
    expect(id).toMatch(/^[a-z0-9]{12}$/);
    expect(ready.status).toMatchObject({ guardrailArn: `arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/${id}`, version: 'DRAFT', guardrailStatus: 'READY' });
    const draft = await draftOf(ready);
    expect(draft).toMatchObject({ name: 'support-safety', description: 'Content safety for customer support', blockedInputMessaging: 'Sorry, the model cannot answer this question.' });
    expect(draft.contentPolicy?.filters?.map((f) => [f.type, f.inputStrength, f.outputStrength])).toEqual([['HATE', 'HIGH', 'HIGH'], ['INSULTS', 'MEDIUM', 'HIGH']]);
    expect(draft.sensitiveInformationPolicy?.piiEntities?.map((p) => [p.type, p.action])).toEqual([['EMAIL', 'ANONYMIZE'], ['US_SOCIAL_SECURITY_NUMBER', 'BLOCK']]);
    expect(draft.contextualGroundingPolicy?.filters?.map((f) => [f.type, f.threshold])).toEqual([['GROUNDING', 0.7]]);
    expect(draft.wordPolicy?.managedWordLists?.map((w) => w.type)).toEqual(['PROFANITY']);

    const assistant = await k8s.waitForReadyGeneration('agents', 'safe-assistant', 'default', 90_000);
    const inAws = (await agents.send(new GetAgentCommand({ agentId: assistant.status?.agentId as string }))).agent!;
    expect(inAws.guardrailConfiguration).toEqual({ guardrailIdentifier: id, guardrailVersion: 'DRAFT' });
    expect(await agentRoleAllows('bedrock:ApplyGuardrail', ready.status?.guardrailArn as string)).toBe(true);
    expect(await agentRoleAllows('bedrock:ApplyGuardrail', `arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/otherguardrai`)).toBe(false);
  });

  it('reverts a change made in AWS behind its back within a resync', async () => {
    const ready = await waitReady('support-safety');
    const id = ready.status?.guardrailId as string;
    await bedrock.send(new UpdateGuardrailCommand({
      guardrailIdentifier: id, name: 'support-safety', blockedInputMessaging: 'No.', blockedOutputsMessaging: 'No.',
      contentPolicyConfig: { filtersConfig: [{ type: 'HATE', inputStrength: 'LOW', outputStrength: 'LOW' }] },
    }));
    const restored = await waitFor('the guardrail restored', async () => {
      const g = await draftOf(ready);
      return g.status === 'READY' && g.contentPolicy?.filters?.length === 2 && g.sensitiveInformationPolicy?.piiEntities?.length === 2 && g.blockedInputMessaging !== 'No.' ? g : undefined;
    }, { timeoutMs: RESYNC_S * 1000 * 5 + 15_000 });
    expect(restored.contentPolicy?.filters?.find((f) => f.type === 'HATE')).toMatchObject({ inputStrength: 'HIGH', outputStrength: 'HIGH' });
  });

  it('costs no AWS write and no status write over ten resyncs once Ready', async () => {
    const ready = await waitFor('the guardrail settled', async () => {
      const o = await waitReady('support-safety');
      return (await draftOf(o)).status === 'READY' && o.status?.guardrailStatus === 'READY' ? o : undefined;
    }, { timeoutMs: 30_000 });
    const id = ready.status?.guardrailId as string;
    await startRecording(stack.awsEndpoint);
    const calls = await waitFor('ten resyncs of the guardrail', async () => {
      const seen = (await recordedCalls(stack.awsEndpoint)).filter((c) => c.operation.includes(`/guardrails/${id}`) || /^POST \/(tag|untag|listTagsFor)Resource$/.test(c.operation));
      return seen.filter((c) => c.operation === `GET /guardrails/${id}`).length >= 10 ? seen : undefined;
    }, { timeoutMs: 10 * RESYNC_S * 1000 * 3 + 30_000 });
    expect(calls.filter(isWrite)).toEqual([]);
    expect((await k8s.get('guardrails', 'support-safety')).metadata.resourceVersion).toBe(ready.metadata.resourceVersion);
  });

  it('refuses at apply what AWS would refuse', async () => {
    const attack = guardrail('attack');
    attack.spec.contentPolicyConfig = { filtersConfig: [{ type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'HIGH' }] };
    const refused = await kubectlApply(stack, [attack]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('set its outputStrength to NONE');
    const ssn = guardrail('ssn');
    ssn.spec.sensitiveInformationPolicyConfig = { piiEntitiesConfig: [{ type: 'SSN', action: 'BLOCK' }] };
    const badType = await kubectlApply(stack, [ssn]);
    expect(badType.code).not.toBe(0);
    expect(badType.stderr).toContain('US_SOCIAL_SECURITY_NUMBER');
    const grounding = guardrail('grounding');
    grounding.spec.contextualGroundingPolicyConfig = { filtersConfig: [{ type: 'GROUNDING', threshold: 1 }] };
    // (The apiserver's message prints the maximum, 0.99, as 0.)
    expect((await kubectlApply(stack, [grounding])).stderr).toContain('spec.contextualGroundingPolicyConfig.filtersConfig[0].threshold: Invalid value: 1');
    const empty = { apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Guardrail', metadata: { name: 'empty', namespace: 'default' }, spec: { description: 'nothing' } };
    expect((await kubectlApply(stack, [empty])).stderr).toContain('a guardrail needs at least one policy');
  });

  it('deletes the guardrail from AWS; retain keeps it', async () => {
    const ready = await waitReady('support-safety');
    expect((await kubectl(stack, ['delete', 'agent', 'safe-assistant', '--wait=true', '--timeout=60s'])).code).toBe(0);
    expect((await kubectl(stack, ['delete', 'guardrail', 'support-safety', '--wait=true', '--timeout=60s'])).code).toBe(0);
    await expect(draftOf(ready)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    expect((await kubectlApply(stack, [guardrail('kept-safety', { 'bedrockforge.io/deletion-policy': 'retain' })])).code).toBe(0);
    const kept = await waitReady('kept-safety');
    expect((await kubectl(stack, ['delete', 'guardrail', 'kept-safety', '--wait=true', '--timeout=60s'])).code).toBe(0);
    expect((await draftOf(kept)).name).toBe('kept-safety');
  });
});
