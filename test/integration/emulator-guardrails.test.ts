// The emulator's Amazon Bedrock guardrails (test/harness/emulator/bedrock_guardrail_ext.py), seen
// from the JS SDK as the operator will see it: a guardrail's draft with what AWS fills in, its
// CREATING/UPDATING -> READY transitions, whole-draft updates, versions, tags, and errors as AWS
// sends them. Only the emulator runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BedrockClient, CreateGuardrailCommand, CreateGuardrailVersionCommand, DeleteGuardrailCommand, GetGuardrailCommand, ListGuardrailsCommand,
  ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand, UpdateGuardrailCommand, type CreateGuardrailRequest,
} from '@aws-sdk/client-bedrock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failure } from '../harness/aws-failure.ts';
import { ensureEmulator, resetAws, startEmulator, type Emulator } from '../harness/emulator/emulator.ts';
import { waitFor } from '../harness/wait.ts';

const ACCOUNT = '123456789012';
const WAIT = { timeoutMs: 15_000, intervalMs: 100 };
const MESSAGES = { blockedInputMessaging: 'Sorry.', blockedOutputsMessaging: 'Sorry.' };

let logDir: string;
let emulator: Emulator;
let bedrock: BedrockClient;

beforeAll(async () => {
  // Long enough that the state right after a change is seen on a busy machine.
  process.env.MOTO_BEDROCK_AGENT_DELAY_SECONDS = '3';
  logDir = await mkdtemp(join(tmpdir(), 'emulator-guardrails-'));
  emulator = await startEmulator(await ensureEmulator(), join(logDir, 'moto.log'));
  bedrock = new BedrockClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
});

afterAll(async () => {
  await emulator?.process.stop();
  await rm(logDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await resetAws(emulator.endpoint);
});

const create = (extra: Partial<CreateGuardrailRequest> = {}) => bedrock.send(new CreateGuardrailCommand({
  name: 'safety', ...MESSAGES,
  contentPolicyConfig: { filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'MEDIUM' }] },
  ...extra,
}));

const ready = (guardrailIdentifier: string) => waitFor(`guardrail ${guardrailIdentifier} READY`, async () => {
  const g = await bedrock.send(new GetGuardrailCommand({ guardrailIdentifier }));
  return g.status === 'READY' ? g : undefined;
}, WAIT);

describe('the emulator\'s Bedrock guardrails', () => {
  it('creates a guardrail CREATING then READY, with the defaults AWS fills in, and finds it by ID, ARN and listing', async () => {
    const created = await create({
      description: 'keeps it civil', tags: [{ key: 'team', value: 'support' }],
      sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }] },
      contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'GROUNDING', threshold: 0.7 }] },
      topicPolicyConfig: { topicsConfig: [{ name: 'Investment advice', definition: 'Recommendations on what to invest in.', type: 'DENY' }] },
      wordPolicyConfig: { wordsConfig: [{ text: 'confidential' }], managedWordListsConfig: [{ type: 'PROFANITY' }] },
    });
    expect(created.$metadata.httpStatusCode).toBe(202);
    expect(created.guardrailId).toMatch(/^[a-z0-9]{12}$/);
    expect(created.guardrailArn).toBe(`arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/${created.guardrailId}`);
    expect(created.version).toBe('DRAFT');
    expect((await bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: created.guardrailId }))).status).toBe('CREATING');
    const g = await ready(created.guardrailId!);
    expect(g).toMatchObject({ name: 'safety', description: 'keeps it civil', version: 'DRAFT', ...MESSAGES });
    expect(g.createdAt).toBeInstanceOf(Date);
    expect(g.contentPolicy?.filters).toEqual([{
      type: 'HATE', inputStrength: 'HIGH', outputStrength: 'MEDIUM', inputAction: 'BLOCK', outputAction: 'BLOCK', inputEnabled: true, outputEnabled: true,
      inputModalities: ['TEXT'], outputModalities: ['TEXT'],
    }]);
    expect(g.sensitiveInformationPolicy?.piiEntities).toEqual([{ type: 'EMAIL', action: 'ANONYMIZE', inputAction: 'ANONYMIZE', outputAction: 'ANONYMIZE', inputEnabled: true, outputEnabled: true }]);
    expect(g.contextualGroundingPolicy?.filters).toEqual([{ type: 'GROUNDING', threshold: 0.7, action: 'BLOCK', enabled: true }]);
    expect(g.topicPolicy?.topics?.[0]).toMatchObject({ name: 'Investment advice', type: 'DENY', examples: [] });
    expect(g.wordPolicy?.managedWordLists?.[0]).toMatchObject({ type: 'PROFANITY' });
    expect((await bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: created.guardrailArn }))).guardrailId).toBe(created.guardrailId);
    expect((await bedrock.send(new ListGuardrailsCommand({}))).guardrails).toEqual([expect.objectContaining({ id: created.guardrailId, name: 'safety', version: 'DRAFT', status: 'READY' })]);
    expect((await bedrock.send(new ListTagsForResourceCommand({ resourceARN: created.guardrailArn }))).tags).toEqual([{ key: 'team', value: 'support' }]);
  });

  it('replaces the whole draft on update (UPDATING, then READY), refuses changes while busy, and snapshots versions', async () => {
    const { guardrailId } = await create();
    expect(await failure(bedrock.send(new UpdateGuardrailCommand({ guardrailIdentifier: guardrailId, name: 'safety', ...MESSAGES, wordPolicyConfig: { managedWordListsConfig: [{ type: 'PROFANITY' }] } }))))
      .toMatchObject({ name: 'ConflictException', status: 409 });
    await ready(guardrailId!);
    const updated = await bedrock.send(new UpdateGuardrailCommand({ guardrailIdentifier: guardrailId, name: 'safety', ...MESSAGES, wordPolicyConfig: { managedWordListsConfig: [{ type: 'PROFANITY' }] } }));
    expect(updated.$metadata.httpStatusCode).toBe(202);
    expect((await bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: guardrailId }))).status).toBe('UPDATING');
    const g = await ready(guardrailId!);
    expect(g.contentPolicy).toBeUndefined();
    expect(g.wordPolicy?.managedWordLists).toHaveLength(1);
    const version = await bedrock.send(new CreateGuardrailVersionCommand({ guardrailIdentifier: guardrailId, description: 'first' }));
    expect(version.version).toBe('1');
    expect((await bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: guardrailId, guardrailVersion: '1' })))).toMatchObject({ version: '1', description: 'first' });
    expect((await bedrock.send(new ListGuardrailsCommand({ guardrailIdentifier: guardrailId }))).guardrails?.map((s) => s.version)).toEqual(['DRAFT', '1']);
  });

  it('tags and untags a guardrail, and deletes it with its tags', async () => {
    const { guardrailId, guardrailArn } = await create();
    await bedrock.send(new TagResourceCommand({ resourceARN: guardrailArn, tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] }));
    await bedrock.send(new UntagResourceCommand({ resourceARN: guardrailArn, tagKeys: ['a'] }));
    expect((await bedrock.send(new ListTagsForResourceCommand({ resourceARN: guardrailArn }))).tags).toEqual([{ key: 'b', value: '2' }]);
    await ready(guardrailId!);
    const deleted = await bedrock.send(new DeleteGuardrailCommand({ guardrailIdentifier: guardrailId }));
    expect(deleted.$metadata.httpStatusCode).toBe(202);
    expect(await failure(bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: guardrailId })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(bedrock.send(new ListTagsForResourceCommand({ resourceARN: guardrailArn })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(bedrock.send(new DeleteGuardrailCommand({ guardrailIdentifier: guardrailId })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  it('refuses what AWS refuses', async () => {
    await create();
    expect(await failure(create())).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(await failure(create({ name: 'bad name!' }))).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(await failure(create({ name: 'x'.repeat(51) }))).toMatchObject({ name: 'ValidationException' });
    expect(await failure(bedrock.send(new CreateGuardrailCommand({ name: 'quiet', blockedInputMessaging: 'Sorry.' } as CreateGuardrailRequest)))).toMatchObject({ name: 'ValidationException' });
    expect(await failure(bedrock.send(new CreateGuardrailCommand({ name: 'empty', ...MESSAGES })))).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('At least one policy') });
    expect(await failure(create({ name: 'enum', contentPolicyConfig: { filtersConfig: [{ type: 'GOSSIP' as never, inputStrength: 'HIGH', outputStrength: 'HIGH' }] } })))
      .toMatchObject({ name: 'ValidationException', message: expect.stringContaining('enum value set') });
    expect(await failure(create({ name: 'attack', contentPolicyConfig: { filtersConfig: [{ type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'HIGH' }] } })))
      .toMatchObject({ name: 'ValidationException', message: expect.stringContaining('PROMPT_ATTACK') });
    expect(await failure(create({ name: 'grounding', contentPolicyConfig: undefined, contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'GROUNDING', threshold: 1 }] } })))
      .toMatchObject({ name: 'ValidationException', message: expect.stringContaining('0.99') });
    expect(await failure(create({ name: 'pii', sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'SSN' as never, action: 'BLOCK' }] } })))
      .toMatchObject({ name: 'ValidationException' });
    expect(await failure(bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: 'abcdefghijkl' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });
});
