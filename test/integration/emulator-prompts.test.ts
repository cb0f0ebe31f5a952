// The emulator's Amazon Bedrock Prompt management (test/harness/emulator/bedrock_prompt_ext.py), seen
// from the JS SDK as the operator will see it: a prompt's DRAFT, updates that replace it whole,
// versions, tags, and errors as AWS sends them. Only the emulator runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BedrockAgentClient, CreatePromptCommand, CreatePromptVersionCommand, DeletePromptCommand, GetPromptCommand, ListPromptsCommand,
  ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand, UpdatePromptCommand, type PromptVariant,
} from '@aws-sdk/client-bedrock-agent';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failure } from '../harness/aws-failure.ts';
import { ensureEmulator, resetAws, startEmulator, type Emulator } from '../harness/emulator/emulator.ts';

const ACCOUNT = '123456789012';
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const ID = /^[0-9A-Z]{10}$/;

const textVariant = (text = 'Summarise {{topic}} in one line.'): PromptVariant => ({
  name: 'v1', templateType: 'TEXT', modelId: MODEL,
  templateConfiguration: { text: { text, inputVariables: [{ name: 'topic' }] } },
  inferenceConfiguration: { text: { temperature: 0.2, maxTokens: 512 } },
});

let logDir: string;
let emulator: Emulator;
let bedrock: BedrockAgentClient;

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'emulator-prompts-'));
  emulator = await startEmulator(await ensureEmulator(), join(logDir, 'moto.log'));
  bedrock = new BedrockAgentClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
});

afterAll(async () => {
  await emulator?.process.stop();
  await rm(logDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await resetAws(emulator.endpoint);
});

describe('the emulator\'s Bedrock Prompt management', () => {
  it('creates a prompt as its DRAFT, reads it by ID or ARN, replaces it whole on update and deletes it', async () => {
    const created = await bedrock.send(new CreatePromptCommand({
      name: 'summary', description: 'one line', defaultVariant: 'v1', variants: [textVariant()], tags: { team: 'support' },
    }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({ name: 'summary', description: 'one line', version: 'DRAFT', defaultVariant: 'v1', variants: [textVariant()] });
    expect(created.id).toMatch(ID);
    expect(created.arn).toBe(`arn:aws:bedrock:us-east-1:${ACCOUNT}:prompt/${created.id}`);
    expect(created.createdAt).toBeInstanceOf(Date);

    const read = await bedrock.send(new GetPromptCommand({ promptIdentifier: created.id }));
    expect(read).toMatchObject({ id: created.id, version: 'DRAFT', variants: [textVariant()] });
    expect((await bedrock.send(new GetPromptCommand({ promptIdentifier: created.arn, promptVersion: 'DRAFT' }))).id).toBe(created.id);
    expect((await bedrock.send(new ListTagsForResourceCommand({ resourceArn: created.arn }))).tags).toEqual({ team: 'support' });

    // UpdatePrompt replaces the prompt: what it is not sent is gone.
    const chat: PromptVariant = {
      name: 'chat', templateType: 'CHAT', modelId: MODEL,
      templateConfiguration: { chat: { system: [{ text: 'Be brief.' }], messages: [{ role: 'user', content: [{ text: '{{question}}' }] }], inputVariables: [{ name: 'question' }] } },
    };
    const updated = await bedrock.send(new UpdatePromptCommand({ promptIdentifier: created.id, name: 'summary', variants: [chat] }));
    expect(updated.$metadata.httpStatusCode).toBe(200);
    const after = await bedrock.send(new GetPromptCommand({ promptIdentifier: created.id }));
    expect(after.description).toBeUndefined();
    expect(after.defaultVariant).toBeUndefined();
    expect(after.variants).toEqual([chat]);

    await bedrock.send(new TagResourceCommand({ resourceArn: created.arn, tags: { owner: 'ops' } }));
    await bedrock.send(new UntagResourceCommand({ resourceArn: created.arn, tagKeys: ['team'] }));
    expect((await bedrock.send(new ListTagsForResourceCommand({ resourceArn: created.arn }))).tags).toEqual({ owner: 'ops' });

    await bedrock.send(new DeletePromptCommand({ promptIdentifier: created.id }));
    expect(await failure(bedrock.send(new GetPromptCommand({ promptIdentifier: created.id })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(bedrock.send(new DeletePromptCommand({ promptIdentifier: created.id })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(bedrock.send(new ListTagsForResourceCommand({ resourceArn: created.arn })))).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('refuses what AWS refuses: a name taken or malformed, two variants, a template of the other type, a default that is no variant', async () => {
    const { id } = await bedrock.send(new CreatePromptCommand({ name: 'summary', variants: [textVariant()] }));
    const other = await bedrock.send(new CreatePromptCommand({ name: 'other' }));
    expect(await failure(bedrock.send(new CreatePromptCommand({ name: 'summary' })))).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(await failure(bedrock.send(new UpdatePromptCommand({ promptIdentifier: other.id, name: 'summary' })))).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(await failure(bedrock.send(new CreatePromptCommand({ name: 'bad name!' })))).toMatchObject({ name: 'ValidationException', status: 400 });
    const two = await failure(bedrock.send(new CreatePromptCommand({ name: 'two', variants: [textVariant(), { ...textVariant(), name: 'v2' }] })));
    expect(two).toMatchObject({ name: 'ValidationException' });
    expect(two.message).toContain('have length less than or equal to 1');
    const mismatched = await failure(bedrock.send(new CreatePromptCommand({ name: 'mismatched', variants: [{ ...textVariant(), templateType: 'CHAT' }] })));
    expect(mismatched).toMatchObject({ name: 'ValidationException' });
    expect(mismatched.message).toContain('must be chat for templateType CHAT');
    expect(await failure(bedrock.send(new CreatePromptCommand({ name: 'nodefault', defaultVariant: 'v9', variants: [textVariant()] }))))
      .toMatchObject({ name: 'ValidationException' });
    // Text and chat at once: the union takes exactly one.
    expect(await failure(bedrock.send(new CreatePromptCommand({
      name: 'both', variants: [{ ...textVariant(), templateConfiguration: { text: { text: 'x' }, chat: { messages: [] } } as never }],
    })))).toMatchObject({ name: 'ValidationException' });
    expect(await failure(bedrock.send(new GetPromptCommand({ promptIdentifier: 'ABCDEFGHIJ' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(bedrock.send(new GetPromptCommand({ promptIdentifier: id, promptVersion: '3' })))).toMatchObject({ name: 'ResourceNotFoundException' });
    // Nothing refused was kept.
    const { promptSummaries } = await bedrock.send(new ListPromptsCommand({}));
    expect(promptSummaries!.map((p) => p.name)).toEqual(['summary', 'other']);
  });

  it('makes versions of the DRAFT and lists them; deleting the prompt takes them along', async () => {
    const { id, arn } = await bedrock.send(new CreatePromptCommand({ name: 'summary', variants: [textVariant('first')] }));
    const one = await bedrock.send(new CreatePromptVersionCommand({ promptIdentifier: id, tags: { stage: 'one' } }));
    expect(one).toMatchObject({ version: '1', arn: `${arn}:1`, variants: [textVariant('first')] });
    await bedrock.send(new UpdatePromptCommand({ promptIdentifier: id, name: 'summary', variants: [textVariant('second')] }));
    expect((await bedrock.send(new GetPromptCommand({ promptIdentifier: id, promptVersion: '1' }))).variants).toEqual([textVariant('first')]);
    expect((await bedrock.send(new ListTagsForResourceCommand({ resourceArn: `${arn}:1` }))).tags).toEqual({ stage: 'one' });
    const { promptSummaries } = await bedrock.send(new ListPromptsCommand({ promptIdentifier: id }));
    expect(promptSummaries!.map((p) => p.version)).toEqual(['DRAFT', '1']);
    await bedrock.send(new DeletePromptCommand({ promptIdentifier: id }));
    expect((await bedrock.send(new ListPromptsCommand({}))).promptSummaries).toEqual([]);
  });
});
