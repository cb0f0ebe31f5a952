// The Guardrail's desired draft and its comparison with what GetGuardrail returns (AWS fills in
// actions, enabled flags and modalities: only what the spec sets counts), and an Agent's
// spec.guardrail.name resolved to the Guardrail's ID, with its generated role allowed to apply
// exactly that guardrail.
import type { GetGuardrailResponse } from '@aws-sdk/client-bedrock';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { convert, render } from '../../src/convert/convert.ts';
import type { AgentSpec } from '../../src/api/agent.ts';
import type { GuardrailSpec } from '../../src/api/guardrail.ts';
import type { GuardrailResource } from '../../src/api/kinds.ts';
import { WaitingError } from '../../src/runtime/errors.ts';
import { withNamedGuardrail } from '../../src/kinds/agent/agent-references.ts';
import { desiredAgentFields } from '../../src/kinds/agent/desired-agent.ts';
import { serviceRoleSpec } from '../../src/kinds/agent/service-role.ts';
import { desiredGuardrailFields, guardrailDiff } from '../../src/kinds/guardrail/desired-guardrail.ts';

const spec: GuardrailSpec = {
  description: 'safety',
  contentPolicyConfig: { filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' }, { type: 'INSULTS', inputStrength: 'LOW', outputStrength: 'HIGH' }] },
  sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }] },
  contextualGroundingPolicyConfig: { filtersConfig: [{ type: 'GROUNDING', threshold: 0.7 }] },
  topicPolicyConfig: { topicsConfig: [{ name: 'Advice', definition: 'Investment advice.' }] },
};

/** What GetGuardrail returns for `spec`: AWS's defaults filled in, entries in another order. */
const inAws = (): GetGuardrailResponse => ({
  name: 'safety', guardrailId: 'abcdefabcdef', guardrailArn: 'arn:aws:bedrock:us-east-1:123456789012:guardrail/abcdefabcdef', version: 'DRAFT', status: 'READY',
  description: 'safety', blockedInputMessaging: 'Sorry, the model cannot answer this question.', blockedOutputsMessaging: 'Sorry, the model cannot answer this question.',
  createdAt: new Date(), updatedAt: new Date(),
  contentPolicy: {
    filters: [
      { type: 'INSULTS', inputStrength: 'LOW', outputStrength: 'HIGH', inputAction: 'BLOCK', outputAction: 'BLOCK', inputEnabled: true, outputEnabled: true, inputModalities: ['TEXT'], outputModalities: ['TEXT'] },
      { type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH', inputAction: 'BLOCK', outputAction: 'BLOCK', inputEnabled: true, outputEnabled: true, inputModalities: ['TEXT'], outputModalities: ['TEXT'] },
    ],
  },
  sensitiveInformationPolicy: { piiEntities: [{ type: 'EMAIL', action: 'ANONYMIZE', inputAction: 'ANONYMIZE', outputAction: 'ANONYMIZE', inputEnabled: true, outputEnabled: true }], regexes: [] },
  contextualGroundingPolicy: { filters: [{ type: 'GROUNDING', threshold: 0.7000000000000001, action: 'BLOCK', enabled: true }] },
  topicPolicy: { topics: [{ name: 'Advice', definition: 'Investment advice.', examples: [], type: 'DENY', inputAction: 'BLOCK', outputAction: 'BLOCK', inputEnabled: true, outputEnabled: true }] },
});

describe('a Guardrail\'s draft', () => {
  it('is sent complete, with the default blocked messages and topic type DENY', () => {
    const fields = desiredGuardrailFields(spec, 'safety');
    expect(fields).toMatchObject({ name: 'safety', blockedInputMessaging: 'Sorry, the model cannot answer this question.', blockedOutputsMessaging: 'Sorry, the model cannot answer this question.' });
    expect(fields.topicPolicyConfig?.topicsConfig?.[0]?.type).toBe('DENY');
    expect(fields.wordPolicyConfig).toBeUndefined();
  });

  it('matches what AWS returns with its defaults filled in and entries reordered', () => {
    expect(guardrailDiff(desiredGuardrailFields(spec, 'safety'), inAws())).toEqual([]);
  });

  it('differs where a member the spec sets, an entry, a policy or a message differs', () => {
    const changed = inAws();
    changed.contentPolicy!.filters![1]!.inputStrength = 'LOW';
    changed.sensitiveInformationPolicy = undefined;
    changed.wordPolicy = { words: [{ text: 'secret' }], managedWordLists: [] };
    changed.blockedOutputsMessaging = 'No.';
    expect(guardrailDiff(desiredGuardrailFields(spec, 'safety'), changed)).toEqual(['blocked output message', 'content filters', 'sensitive information types', 'words']);
    const withAction: GuardrailSpec = { ...spec, contentPolicyConfig: { filtersConfig: [...spec.contentPolicyConfig!.filtersConfig.slice(0, 1).map((f) => ({ ...f, outputAction: 'NONE' as const })), spec.contentPolicyConfig!.filtersConfig[1]!] } };
    expect(guardrailDiff(desiredGuardrailFields(withAction, 'safety'), inAws())).toEqual(['content filters']);
  });

  it('compares a KMS key given by ID with the ARN AWS reports, and leaves an alias alone', () => {
    const key = '1234abcd-12ab-34cd-56ef-1234567890ab';
    const withKey = { ...inAws(), kmsKeyArn: `arn:aws:kms:us-east-1:123456789012:key/${key}` };
    expect(guardrailDiff(desiredGuardrailFields({ ...spec, kmsKeyId: key }, 'safety'), withKey)).toEqual([]);
    expect(guardrailDiff(desiredGuardrailFields({ ...spec, kmsKeyId: 'alias/guardrails' }, 'safety'), withKey)).toEqual([]);
    expect(guardrailDiff(desiredGuardrailFields(spec, 'safety'), withKey)).toEqual(['KMS key']);
  });
});

describe('an Agent\'s spec.guardrail.name', () => {
  const agent: AgentSpec = { foundationModel: 'anthropic.claude-3-haiku-20240307-v1:0', instruction: 'x'.repeat(40), guardrail: { name: { ref: 'safety' }, version: '2' } };
  const guardrail = (ready: boolean) => ({
    metadata: { name: 'safety', namespace: 'team-a' },
    status: { guardrailId: 'abcdefabcdef', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: 'x', lastTransitionTime: '' }] },
  }) as unknown as GuardrailResource;

  it('waits until the Guardrail of the namespace is Ready', () => {
    for (const found of [undefined, guardrail(false)]) {
      let thrown: unknown;
      try { withNamedGuardrail(agent, 'team-a', { guardrail: () => found }); } catch (error) { thrown = error; }
      expect(thrown).toBeInstanceOf(WaitingError);
      expect(thrown).toMatchObject({ reason: 'WaitingForGuardrail', message: expect.stringContaining('Guardrail team-a/safety (spec.guardrail.name)') });
    }
  });

  it('becomes its ID at the spec\'s version, which the generated role may apply, and nothing else', () => {
    const resolved = withNamedGuardrail(agent, 'team-a', { guardrail: (ns, name) => (ns === 'team-a' && name === 'safety' ? guardrail(true) : undefined) });
    expect(desiredAgentFields(resolved, 'bot', 'arn:aws:iam::123456789012:role/r').guardrailConfiguration).toEqual({ guardrailIdentifier: 'abcdefabcdef', guardrailVersion: '2' });
    const role = serviceRoleSpec('bot', resolved, { partition: 'aws', region: 'us-east-1', account: '123456789012' }, undefined);
    const statements = role.inlinePolicies![0]!.policy.statement.filter((s) => [s.action].flat().includes('bedrock:ApplyGuardrail'));
    expect(statements).toEqual([{ sid: 'ApplyAgentGuardrail', effect: 'Allow', action: ['bedrock:ApplyGuardrail'], resource: ['arn:aws:bedrock:us-east-1:123456789012:guardrail/abcdefabcdef'] }]);
  });
});

describe('converting Bedrock Forge\'s Guardrail manifests', () => {
  it('keeps the kind, moves metadata.description, and reports nothing left out', async () => {
    const text = 'kind: Guardrail\nmetadata:\n  name: safety\n  description: Content safety\nspec:\n  contentPolicyConfig:\n    filtersConfig:\n      - {type: HATE, inputStrength: HIGH, outputStrength: HIGH}\n';
    const { documents, notes } = await convert([{ file: 'g.yml', text, siblings: async () => [] }], 'team-a');
    expect(notes.filter((n) => n.level === 'error')).toEqual([]);
    const [object] = parseAllDocuments(render(documents)).map((d) => d.toJS());
    expect(object).toMatchObject({ apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Guardrail', metadata: { name: 'safety', namespace: 'team-a' } });
  });
});
