// The Prompt kind's external client: a prompt of Amazon Bedrock Prompt management, its DRAFT and
// its tags. UpdatePrompt replaces the whole prompt, so it is always sent complete.
//
// Versions: the operator manages the DRAFT only and publishes no numbered versions. What uses a
// Prompt object here (an Agent's promptOverrides) copies the variant's template when it is
// reconciled, so a version would add nothing for it; a consumer outside the operator that wants a
// frozen snapshot (a flow's prompt node naming `promptArn:N`) makes one with CreatePromptVersion.
// status.version says DRAFT.
//
// The prompt ID is assigned by AWS: until status records it, the prompt is found by name and
// checked by its ownership tags, so a crash between CreatePrompt and the status write makes no twin.
import {
  CreatePromptCommand, DeletePromptCommand, GetPromptCommand, ListPromptsCommand, ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand,
  UpdatePromptCommand, type BedrockAgentClient, type GetPromptResponse,
} from '@aws-sdk/client-bedrock-agent';
import type { AgentResource, PromptResource } from '../../api/kinds.ts';
import type { PromptSpec, PromptStatus } from '../../api/prompt.ts';
import { allPages, classified, ignoreNotFound } from '../../aws/aws-errors.ts';
import { classifyBedrockError } from '../../aws/bedrock-agent/bedrock-agent-errors.ts';
import type { TagChanges } from '../../aws/ownership.ts';
import type { DeleteResult, ExternalClient, Observation, UpdateResult } from '../../runtime/external-client.ts';
import { managedTagKeys, type OwnershipGuard } from '../ownership-guard.ts';
import { PlatformRules } from '../platform-rules.ts';
import { desiredPromptFields, promptDiff, type PromptFields } from './desired-prompt.ts';
import { promptAgentAliasArn } from './prompt-references.ts';

/** What the Prompt client reads from the informers' caches. */
export interface PromptLookups {
  agent(namespace: string, name: string): AgentResource | undefined;
}

/** The version the operator manages. */
export const DRAFT = 'DRAFT';

export interface PromptResolved {
  fields: PromptFields;
  tags: Record<string, string>;
}

export interface PromptPlan {
  prompt: GetPromptResponse;
  fieldDiff: string[];
  tags: TagChanges;
}

export function promptNameOf(obj: PromptResource): string {
  return obj.spec.promptName ?? obj.metadata.name;
}

export class PromptExternalClient implements ExternalClient<PromptSpec, PromptStatus, PromptResolved, PromptPlan> {
  readonly #bedrock: BedrockAgentClient;
  readonly #lookups: PromptLookups;
  readonly #ownership: OwnershipGuard;
  readonly #platform: PlatformRules;
  /** Prompt IDs learned from CreatePrompt, until status records them (by object UID). */
  readonly #createdIds = new Map<string, string>();

  constructor(bedrock: BedrockAgentClient, lookups: PromptLookups, ownership: OwnershipGuard, platform = new PlatformRules()) {
    this.#bedrock = bedrock;
    this.#lookups = lookups;
    this.#ownership = ownership;
    this.#platform = platform;
  }

  /** The Agents the variants name, resolved to their alias ARNs (waits until each is Ready). */
  async resolve(obj: PromptResource): Promise<PromptResolved> {
    const spec = obj.spec;
    this.#platform.requireTags(obj, spec.tags);
    const agentAliasArn = promptAgentAliasArn(this.#lookups.agent, obj.metadata.namespace ?? 'default');
    return { fields: desiredPromptFields(spec, promptNameOf(obj), agentAliasArn), tags: this.#ownership.desiredTags(obj, spec.tags) };
  }

  async observe(obj: PromptResource, desired: PromptResolved): Promise<Observation<PromptStatus, PromptPlan>> {
    const prompt = await this.#find(obj);
    if (!prompt) return { exists: false, status: { promptId: undefined, promptArn: undefined, version: undefined } };
    const tags = (await this.#call(this.#bedrock.send(new ListTagsForResourceCommand({ resourceArn: prompt.arn })))).tags ?? {};
    const blocked = this.#ownership.conflict(obj, `Bedrock prompt ${prompt.name} (${prompt.id})`, tags, 'spec.promptName');
    if (blocked) return { exists: true, status: {}, blocked };
    const fieldDiff = promptDiff(desired.fields, prompt);
    const tagUpdates = this.#ownership.tagChanges(obj, obj.spec.tags, tags, obj.status?.managedTagKeys);
    return {
      exists: true,
      status: { promptId: prompt.id, promptArn: prompt.arn, version: DRAFT, managedTagKeys: managedTagKeys(obj.spec.tags) },
      diff: [...fieldDiff, ...(tagUpdates.any ? ['tags'] : [])],
      plan: { prompt, fieldDiff, tags: tagUpdates },
    };
  }

  async create(obj: PromptResource, desired: PromptResolved): Promise<void> {
    const created = await this.#call(this.#bedrock.send(new CreatePromptCommand({
      ...desired.fields,
      // The ownership tags go with the create call, so a prompt never exists without them.
      tags: desired.tags,
    })), 'creating the prompt');
    this.#createdIds.set(obj.metadata.uid ?? '', created.id!);
  }

  async update(_obj: PromptResource, desired: PromptResolved, { prompt, fieldDiff, tags }: PromptPlan): Promise<UpdateResult> {
    let wrote = false;
    if (fieldDiff.length > 0) {
      // The whole prompt: UpdatePrompt clears what it is not sent.
      await this.#call(this.#bedrock.send(new UpdatePromptCommand({ promptIdentifier: prompt.id, ...desired.fields })), 'updating the prompt');
      wrote = true;
    }
    if (Object.keys(tags.set).length > 0) await this.#call(this.#bedrock.send(new TagResourceCommand({ resourceArn: prompt.arn, tags: tags.set })), 'tagging the prompt');
    if (tags.remove.length > 0) await this.#call(this.#bedrock.send(new UntagResourceCommand({ resourceArn: prompt.arn, tagKeys: tags.remove })), 'untagging the prompt');
    return { wrote: wrote || tags.any };
  }

  /** Deletes the prompt (with any versions); the next pass confirms it is gone. */
  async delete(obj: PromptResource): Promise<DeleteResult> {
    const prompt = await this.#find(obj);
    if (!prompt) return { wrote: false, remaining: false };
    const tags = await this.#call(ignoreNotFound(this.#bedrock.send(new ListTagsForResourceCommand({ resourceArn: prompt.arn }))));
    if (!tags) return { wrote: false, remaining: false };
    if (this.#ownership.conflict(obj, `Bedrock prompt ${prompt.name} (${prompt.id})`, tags.tags ?? {}, 'spec.promptName')) return { wrote: false, remaining: false };
    await this.#call(ignoreNotFound(this.#bedrock.send(new DeletePromptCommand({ promptIdentifier: prompt.id }))), 'deleting the prompt');
    return { wrote: true, remaining: true };
  }

  async finalize(obj: PromptResource): Promise<void> {
    this.#createdIds.delete(obj.metadata.uid ?? '');
  }

  /** The prompt's DRAFT: by the ID this process created or status recorded, else by name. */
  async #find(obj: PromptResource): Promise<GetPromptResponse | undefined> {
    for (const id of new Set([this.#createdIds.get(obj.metadata.uid ?? ''), obj.status?.promptId])) {
      if (!id) continue;
      const prompt = await this.#call(ignoreNotFound(this.#bedrock.send(new GetPromptCommand({ promptIdentifier: id }))));
      if (prompt) return prompt;
    }
    const name = promptNameOf(obj);
    const summaries = await allPages((nextToken) => this.#call(this.#bedrock.send(new ListPromptsCommand({ nextToken })))
      .then((page) => ({ items: page.promptSummaries ?? [], next: page.nextToken })));
    const match = summaries.find((p) => p.name === name);
    return match ? this.#call(ignoreNotFound(this.#bedrock.send(new GetPromptCommand({ promptIdentifier: match.id })))) : undefined;
  }

  #call<T>(call: Promise<T>, change?: string): Promise<T> {
    return classified(call, (error) => classifyBedrockError(error, change));
  }
}
