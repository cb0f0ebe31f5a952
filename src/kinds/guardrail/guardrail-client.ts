// The Guardrail kind's external client: an Amazon Bedrock guardrail's working draft (DRAFT) and
// its tags. UpdateGuardrail replaces the whole draft, so it is always sent complete; a guardrail
// CREATING or UPDATING is waited for, a FAILED one reports AWS's reasons and recommendations.
// Versions are not published: an Agent uses the draft (or a version made outside the operator,
// by number). The guardrail ID is assigned by AWS: until status records it, the guardrail is found
// by name and checked by its ownership tags, so a crash between CreateGuardrail and the status
// write makes no twin.
import {
  CreateGuardrailCommand, DeleteGuardrailCommand, GetGuardrailCommand, ListGuardrailsCommand, ListTagsForResourceCommand, TagResourceCommand,
  UntagResourceCommand, UpdateGuardrailCommand,
  type BedrockClient, type GetGuardrailResponse, type Tag,
} from '@aws-sdk/client-bedrock';
import type { GuardrailSpec, GuardrailStatus } from '../../api/guardrail.ts';
import type { GuardrailResource } from '../../api/kinds.ts';
import { allPages, classified, ignoreNotFound } from '../../aws/aws-errors.ts';
import { classifyGuardrailError } from '../../aws/bedrock/guardrail-errors.ts';
import type { TagChanges } from '../../aws/ownership.ts';
import { TerminalError, WaitingError } from '../../runtime/errors.ts';
import type { DeleteResult, ExternalClient, Observation, UpdateResult } from '../../runtime/external-client.ts';
import { managedTagKeys, type OwnershipGuard } from '../ownership-guard.ts';
import { PlatformRules } from '../platform-rules.ts';
import { desiredGuardrailFields, guardrailDiff, type GuardrailFields } from './desired-guardrail.ts';

const DRAFT = 'DRAFT';
const BUSY = new Set(['CREATING', 'UPDATING', 'VERSIONING']);

/** The guardrail the spec asks for. */
export interface GuardrailResolved {
  fields: GuardrailFields;
  tags: Record<string, string>;
}

export interface GuardrailPlan {
  guardrail: GetGuardrailResponse;
  fieldDiff: string[];
  tags: TagChanges;
}

export function guardrailNameOf(obj: GuardrailResource): string {
  return obj.spec.guardrailName ?? obj.metadata.name;
}

const tagMap = (tags: Tag[] | undefined): Record<string, string> => Object.fromEntries((tags ?? []).map((t) => [t.key!, t.value ?? '']));
const tagList = (tags: Record<string, string>): Tag[] => Object.entries(tags).map(([key, value]) => ({ key, value }));

export class GuardrailExternalClient implements ExternalClient<GuardrailSpec, GuardrailStatus, GuardrailResolved, GuardrailPlan> {
  readonly #bedrock: BedrockClient;
  readonly #ownership: OwnershipGuard;
  readonly #platform: PlatformRules;
  /** Guardrail IDs learned from CreateGuardrail, until status records them (by object UID). */
  readonly #createdIds = new Map<string, string>();

  constructor(bedrock: BedrockClient, ownership: OwnershipGuard, platform = new PlatformRules()) {
    this.#bedrock = bedrock;
    this.#ownership = ownership;
    this.#platform = platform;
  }

  async resolve(obj: GuardrailResource): Promise<GuardrailResolved> {
    this.#platform.requireTags(obj, obj.spec.tags);
    return { fields: desiredGuardrailFields(obj.spec, guardrailNameOf(obj)), tags: this.#ownership.desiredTags(obj, obj.spec.tags) };
  }

  async observe(obj: GuardrailResource, desired: GuardrailResolved): Promise<Observation<GuardrailStatus, GuardrailPlan>> {
    const guardrail = await this.#find(obj);
    if (!guardrail) return { exists: false, status: { guardrailId: undefined, guardrailArn: undefined, guardrailStatus: undefined, version: undefined } };
    const id = guardrail.guardrailId!;
    const tags = tagMap((await this.#call(this.#bedrock.send(new ListTagsForResourceCommand({ resourceARN: guardrail.guardrailArn })))).tags);
    const blocked = this.#ownership.conflict(obj, `Bedrock guardrail ${guardrail.name} (${id})`, tags, 'spec.guardrailName');
    if (blocked) return { exists: true, status: {}, blocked };

    const fieldDiff = guardrailDiff(desired.fields, guardrail);
    const diff = [...fieldDiff];
    const tagUpdates = this.#ownership.tagChanges(obj, obj.spec.tags, tags, obj.status?.managedTagKeys);
    if (tagUpdates.any) diff.push('tags');
    if (guardrail.status !== 'READY') diff.push(`guardrail ${guardrail.status?.toLowerCase() ?? 'not ready'}`);
    return {
      exists: true,
      status: { guardrailId: id, guardrailArn: guardrail.guardrailArn, version: DRAFT, guardrailStatus: guardrail.status, managedTagKeys: managedTagKeys(obj.spec.tags) },
      diff,
      plan: { guardrail, fieldDiff, tags: tagUpdates },
    };
  }

  async create(obj: GuardrailResource, desired: GuardrailResolved): Promise<void> {
    const created = await this.#call(this.#bedrock.send(new CreateGuardrailCommand({
      ...desired.fields,
      // The ownership tags go with the create call, so a guardrail never exists without them.
      tags: tagList(desired.tags),
    })), 'creating the guardrail', true);
    this.#createdIds.set(obj.metadata.uid ?? '', created.guardrailId!);
  }

  async update(_obj: GuardrailResource, desired: GuardrailResolved, plan: GuardrailPlan): Promise<UpdateResult> {
    const { guardrail, fieldDiff, tags } = plan;
    if (BUSY.has(guardrail.status ?? '')) {
      throw new WaitingError('GuardrailBusy', `the guardrail is ${guardrail.status?.toLowerCase()}; the next change follows once it is READY`, 'busy');
    }
    if (guardrail.status === 'FAILED' && fieldDiff.length === 0 && !tags.any) {
      const reasons = [...guardrail.statusReasons ?? [], ...guardrail.failureRecommendations ?? []];
      throw new TerminalError('GuardrailFailed', `Bedrock could not apply the guardrail's configuration: ${reasons.join('; ') || 'no reason given'}. Fix the spec`);
    }
    let wrote = false;
    if (fieldDiff.length > 0 || guardrail.status === 'FAILED') {
      await this.#call(this.#bedrock.send(new UpdateGuardrailCommand({ guardrailIdentifier: guardrail.guardrailId, ...desired.fields })), 'updating the guardrail');
      wrote = true;
    }
    if (Object.keys(tags.set).length > 0) {
      await this.#call(this.#bedrock.send(new TagResourceCommand({ resourceARN: guardrail.guardrailArn, tags: tagList(tags.set) })), 'tagging the guardrail');
      wrote = true;
    }
    if (tags.remove.length > 0) {
      await this.#call(this.#bedrock.send(new UntagResourceCommand({ resourceARN: guardrail.guardrailArn, tagKeys: tags.remove })), 'untagging the guardrail');
      wrote = true;
    }
    return { wrote };
  }

  /** Deletes the guardrail (with any versions made outside the operator); the next pass confirms it is gone. */
  async delete(obj: GuardrailResource): Promise<DeleteResult> {
    const guardrail = await this.#find(obj);
    if (!guardrail) return { wrote: false, remaining: false };
    if (guardrail.status === 'DELETING') return { wrote: false, remaining: true };
    const tags = await this.#call(ignoreNotFound(this.#bedrock.send(new ListTagsForResourceCommand({ resourceARN: guardrail.guardrailArn }))));
    if (!tags) return { wrote: false, remaining: false };
    if (this.#ownership.conflict(obj, `Bedrock guardrail ${guardrail.name} (${guardrail.guardrailId})`, tagMap(tags.tags), 'spec.guardrailName')) return { wrote: false, remaining: false };
    await this.#call(ignoreNotFound(this.#bedrock.send(new DeleteGuardrailCommand({ guardrailIdentifier: guardrail.guardrailId }))), 'deleting the guardrail');
    return { wrote: true, remaining: true };
  }

  async finalize(obj: GuardrailResource): Promise<void> {
    this.#createdIds.delete(obj.metadata.uid ?? '');
  }

  /** The draft: by the ID this process created or status recorded, else by name (a create whose ID was never recorded). */
  async #find(obj: GuardrailResource): Promise<GetGuardrailResponse | undefined> {
    for (const id of new Set([this.#createdIds.get(obj.metadata.uid ?? ''), obj.status?.guardrailId])) {
      if (!id) continue;
      const guardrail = await this.#get(id);
      if (guardrail) return guardrail;
    }
    const name = guardrailNameOf(obj);
    const summaries = await allPages((nextToken) => this.#call(this.#bedrock.send(new ListGuardrailsCommand({ nextToken })))
      .then((page) => ({ items: page.guardrails ?? [], next: page.nextToken })));
    const match = summaries.find((g) => g.name === name);
    return match ? this.#get(match.id!) : undefined;
  }

  #get(guardrailIdentifier: string): Promise<GetGuardrailResponse | undefined> {
    return this.#call(ignoreNotFound(this.#bedrock.send(new GetGuardrailCommand({ guardrailIdentifier, guardrailVersion: DRAFT }))));
  }

  #call<T>(call: Promise<T>, change?: string, creating = false): Promise<T> {
    return classified(call, (error) => classifyGuardrailError(error, change, creating));
  }
}
