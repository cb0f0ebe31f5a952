// Every Bedrock Forge manifest of the seed, and every example of Bedrock Forge's repository (its
// examples/ and the manifests of its documentation), converts; the apiserver accepts those AWS
// would accept and refuses, naming the field, those AWS would refuse; what the operator does not
// manage the converter says so.
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { convert, render } from '../../src/convert/convert.ts';
import { readInputs } from '../../src/convert/read-inputs.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { kubectl, kubectlApply, namesField } from '../harness/kubectl.ts';

const seeds = join(import.meta.dirname, '..', 'fixtures', 'bedrock-forge');
const repository = join(import.meta.dirname, '..', 'fixtures', 'bedrock-forge-repository');

/** Seed manifests AWS would refuse, and the field the apiserver's message must name. */
const refused: Record<string, { field: string; says: string }> = {
  'IAMRole/cross-account-agent-role': { field: 'spec.assumeRolePolicy.statement[1].principal.aws', says: 'TRUSTED-ACCOUNT-ID' },
  'Agent/custom-agent': { field: 'spec.instruction', says: 'at least 40 chars' },
  'Lambda/custom-lambda': { field: 'spec.code', says: 'code is required' },
};

let stack: Stack;
let objects: { kind: string; metadata: { name: string } }[];

beforeAll(async () => {
  stack = await startStack();
  const { documents } = await convert(await readInputs([seeds]), 'default');
  objects = parseAllDocuments(render(documents)).map((d) => d.toJS());
});
afterAll(async () => { await stack?.stop(); });

describe('seed manifests', () => {
  it('all convert', () => {
    expect(objects.length).toBeGreaterThanOrEqual(9);
  });

  it('apply, or are refused with a message naming the field, one by one', async () => {
    for (const object of objects) {
      const key = `${object.kind}/${object.metadata.name}`;
      const result = await kubectlApply(stack, [object]);
      const expected = refused[key];
      if (expected) {
        expect(result.code, key).not.toBe(0);
        expect(namesField(result.stderr, expected.field), result.stderr).toBe(true);
        expect(result.stderr).toContain(expected.says);
      } else {
        expect(result.stderr, key).toBe('');
        expect(result.code, key).toBe(0);
      }
    }
    const listed = await kubectl(stack, ['get', 'bedrockforge', '-n', 'default', '-o', 'name']);
    expect(listed.stdout.trim().split('\n').sort()).toEqual([
      'iamrole.bedrockforge.io/custom-agent-role',
      'iamrole.bedrockforge.io/enterprise-agent-role',
      'iamrole.bedrockforge.io/env-specific-agent-role',
      'iamrole.bedrockforge.io/least-privilege-agent-role',
      'iamrole.bedrockforge.io/time-restricted-agent-role',
      'lambda.bedrockforge.io/order-lookup',
    ]);
  });

  it('a manifest without metadata.description applies as it is, with only an apiVersion added', async () => {
    const [text] = (await readInputs([join(seeds, 'least-privilege-agent-role.yml')])).map((i) => i.text);
    const result = await kubectl(stack, ['apply', '-n', 'default', '-f', '-'], `apiVersion: bedrockforge.io/v1alpha1\n${text}`);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('least-privilege-agent-role');
  });

  it('every example in examples/ applies', async () => {
    const result = await kubectl(stack, ['apply', '-R', '-f', join(seeds, '..', '..', '..', 'examples')]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('agent.bedrockforge.io/order-assistant');
    expect(result.stdout).toContain('lambda.bedrockforge.io/custom-lambda');
    expect(result.stdout).toContain('iamrole.bedrockforge.io/cross-account-agent-role');
  });

  it('kubectl explain documents the fields', async () => {
    const result = await kubectl(stack, ['explain', 'agent.spec.actionGroups']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('actionGroupExecutor');
    expect(result.stdout).toContain('Action groups of the agent');
  });
});

/**
 * Bedrock Forge's examples AWS would refuse, by file (a pattern) and object: the field the
 * apiserver's message names, and what AWS says. Every other object of the set applies.
 */
const refusedByAws: { file: RegExp; object: RegExp; field: string; aws: string }[] = [
  { file: /^docs\/(README-1|docs-iam-management-2|docs-resources-(action-group-[67]|agent-[34]|iam-role-7|lambda-4|prompt-5))\./, object: /^Agent\//, field: 'spec.instruction', aws: 'CreateAgent: instruction is 40 to 20,000 characters' },
  { file: /^docs\/docs-(getting-started-2|resources-(action-group-3|iam-role-8|lambda-[1-4]))\./, object: /^Lambda\//, field: 'spec.code', aws: 'CreateFunction: Code is required (the snippets leave the code out)' },
  { file: /^docs\/docs-(iam-management-4|resources-iam-role-4)/, object: /^IAMRole\/cross-account-agent-role$/, field: 'spec.assumeRolePolicy.statement[1].principal.aws', aws: 'MalformedPolicyDocument: a placeholder account ID' },
  // A Terraform expression or an agent ARN, where an Agent object of the namespace is named.
  { file: /^docs\/docs-resources-action-group-[1-57]/, object: /^ActionGroup\//, field: 'spec.agentId', aws: 'CreateAgentActionGroup: agentId is 10 letters and digits' },
  { file: /^docs\/docs-resources-lambda-3/, object: /^ActionGroup\/order-actions$/, field: 'spec', aws: 'an action group with a Lambda executor needs an API or function schema' },
  { file: /^docs\/docs-resources-custom-resources-5/, object: /^Agent\//, field: 'spec.foundationModel', aws: 'CreateAgent: foundationModel is required to prepare' },
  { file: /^(docs\/docs-resources-prompt-[368]|examples\/prompts\/)/, object: /^Prompt\//, field: 'spec.variants', aws: 'CreatePrompt: at most one variant' },
  { file: /^examples\/action-groups\//, object: /^ActionGroup\//, field: 'spec', aws: 'CreateAgentActionGroup: apiSchema or functionSchema, not both' },
  { file: /^examples\/agents\/customer-support-with-iam/, object: /^Agent\//, field: 'spec.knowledgeBases[0].knowledgeBaseId', aws: 'AssociateAgentKnowledgeBase: knowledgeBaseId is required (the example names a KnowledgeBase resource)' },
  { file: /^examples\/(agents|complete-reference-example\/03|enterprise-validation-test)/, object: /^Guardrail\//, field: 'spec.sensitiveInformationPolicyConfig.piiEntitiesConfig[2].type', aws: 'CreateGuardrail: no PII type SSN (AWS calls it US_SOCIAL_SECURITY_NUMBER)' },
  { file: /^examples\/enterprise-validation-test\/bad-agent/, object: /^Agent\//, field: 'spec.idleSessionTtlInSeconds', aws: 'CreateAgent: idleSessionTTLInSeconds is 60 to 5,400' },
  { file: /^new_examples\/.*document-assistant/, object: /^Agent\/document-assistant-agent$/, field: 'spec.actionGroups[0].functionSchema.functions[0].parameters', aws: 'a function has at most 5 parameters' },
];

/** Kinds of Bedrock Forge (and of its documentation's made-up examples) the operator leaves out, saying so. */
const UNMANAGED = ['KnowledgeBase', 'OpenSearchServerless', 'CustomResources', 'CustomModule', 'NewResource'];

describe(`Bedrock Forge's repository examples (${relative(join(repository, '..', '..', '..'), repository)})`, () => {
  it('convert, and apply or are refused only where AWS would refuse them, naming the field', async () => {
    const outcomes: string[] = [];
    const wrong: string[] = [];
    let applied = 0;
    for (const input of await readInputs([repository])) {
      const file = relative(repository, input.file);
      const { documents, notes } = await convert([input], 'default');
      for (const n of notes.filter((x) => x.level === 'error')) {
        // Only what is no manifest of a managed kind is left out: other kinds, and files of other tools.
        expect(`${file}: ${n.message}`).toMatch(new RegExp(`: (kind (${UNMANAGED.join('|')}) is not managed by this operator|has no kind|not valid YAML)`));
      }
      for (const document of documents) {
        const object = document.toJS() as { kind: string; metadata: { name: string } };
        const key = `${object.kind}/${object.metadata.name}`;
        const result = await kubectl(stack, ['apply', '--dry-run=server', '-f', '-'], render([document]));
        const expected = refusedByAws.find((r) => r.file.test(file) && r.object.test(key));
        if (expected) {
          if (result.code === 0) wrong.push(`${file} ${key} applies, though AWS refuses it (${expected.aws})`);
          else if (!namesField(result.stderr, expected.field)) wrong.push(`${file} ${key} is refused without naming ${expected.field}: ${result.stderr}`);
        } else if (result.code !== 0) {
          wrong.push(`${file} ${key} is refused: ${result.stderr.trim()}`);
        } else {
          applied++;
        }
        outcomes.push(`${file} ${key}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(outcomes.length).toBeGreaterThanOrEqual(80);
    expect(applied).toBeGreaterThanOrEqual(45);
  });

  it('the converter says plainly what it leaves out and why', async () => {
    const { notes } = await convert(await readInputs([join(repository, 'examples', 'complete-reference-example'), join(repository, 'examples', 'agents')]), 'default');
    const messages = notes.map((n) => n.message);
    expect(messages).toContainEqual(expect.stringMatching(/^kind KnowledgeBase is not managed by this operator .*give its ID to the Agent \(spec\.knowledgeBases\[\]\.knowledgeBaseId\)/));
    expect(messages).toContainEqual(expect.stringMatching(/^kind OpenSearchServerless is not managed by this operator/));
    expect(messages).toContainEqual(expect.stringMatching(/^spec\.knowledgeBases\[0\]\.name is not a field of Agent, .*give the knowledge base's ID in knowledgeBaseId/));
  });
});
