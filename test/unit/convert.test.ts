// The converter on Bedrock Forge manifests: what it adds, moves and reports.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { convert, render, type ConvertInput } from '../../src/convert/convert.ts';
import { readInputs } from '../../src/convert/read-inputs.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'bedrock-forge');

function input(text: string, siblings: { path: string; content: string }[] = []): ConvertInput {
  return {
    file: 'in.yml',
    text,
    siblings: async () => siblings.map((s) => ({ path: s.path, content: Buffer.from(s.content) })),
  };
}

async function convertText(text: string, siblings: { path: string; content: string }[] = []) {
  const result = await convert([input(text, siblings)], 'team-a');
  return { ...result, objects: parseAllDocuments(render(result.documents)).map((d) => d.toJS()) };
}

describe('convert', () => {
  it('adds apiVersion and namespace and moves metadata.description into the spec', async () => {
    const { objects, notes } = await convertText(`kind: IAMRole
metadata:
  name: r
  description: "Role for the agent"
spec:
  assumeRolePolicy: {statement: []}
`);
    expect(objects[0]).toMatchObject({
      apiVersion: 'bedrockforge.io/v1alpha1',
      kind: 'IAMRole',
      metadata: { name: 'r', namespace: 'team-a' },
      spec: { description: 'Role for the agent' },
    });
    expect(objects[0].metadata.description).toBeUndefined();
    expect(notes.map((n) => n.message)).toContain('metadata.description moved to spec.description');
  });

  it('keeps a spec description and puts a different metadata description in an annotation', async () => {
    const { objects } = await convertText(`kind: Lambda
metadata: {name: f, description: outer}
spec: {description: inner, runtime: python3.12, handler: app.handler, code: {zipFile: UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==}}
`);
    expect(objects[0].spec.description).toBe('inner');
    expect(objects[0].metadata.annotations['bedrockforge.io/description']).toBe('outer');
  });

  it('keeps an explicit namespace and the comments of the manifest', async () => {
    const { documents } = await convert([input(`# the trust role
kind: IAMRole
metadata: {name: r, namespace: other}
spec: {}
`)], 'team-a');
    const text = render(documents);
    expect(text).toContain('# the trust role');
    expect(text).toContain('namespace: other');
  });

  it('turns code.source directory into a ConfigMap with items for nested files', async () => {
    const { objects } = await convertText(`kind: Lambda
metadata: {name: order-lookup}
spec: {runtime: python3.12, handler: app.handler, code: {source: directory}}
`, [{ path: 'app.py', content: 'def handler(e, c): pass\n' }, { path: 'lib/util.py', content: 'X = 1\n' }]);
    const [configMap, lambda] = objects;
    expect(configMap).toMatchObject({
      kind: 'ConfigMap',
      // Labelled as Lambda code: the operator watches only such ConfigMaps.
      metadata: { name: 'order-lookup-code', namespace: 'team-a', labels: { 'bedrockforge.io/lambda-code': 'true' } },
      data: { 'app.py': 'def handler(e, c): pass\n', 'lib--util.py': 'X = 1\n' },
    });
    expect(lambda.spec.code).toEqual({
      configMap: {
        name: 'order-lookup-code',
        items: [{ key: 'app.py', path: 'app.py' }, { key: 'lib--util.py', path: 'lib/util.py' }],
      },
    });
  });

  it('packs the directory of a Lambda without code only when its handler module lies there', async () => {
    const withHandler = await convertText('kind: Lambda\nmetadata: {name: f}\nspec: {runtime: python3.12, handler: app.handler}\n',
      [{ path: 'app.py', content: 'x' }]);
    expect(withHandler.objects.map((o) => o.kind)).toEqual(['ConfigMap', 'Lambda']);

    const elsewhere = await convertText('kind: Lambda\nmetadata: {name: f}\nspec: {runtime: python3.12, handler: app.handler}\n',
      [{ path: 'README.md', content: 'x' }]);
    expect(elsewhere.objects.map((o) => o.kind)).toEqual(['Lambda']);
    expect(elsewhere.objects[0].spec.code).toBeUndefined();
    expect(elsewhere.notes).toContainEqual(expect.objectContaining({ level: 'warning', message: expect.stringContaining('kubectl apply refuses it until spec.code is set') }));
  });

  it('puts binary files in binaryData', async () => {
    const { objects } = await convertText('kind: Lambda\nmetadata: {name: f}\nspec: {runtime: python3.12, handler: app.handler, code: {source: directory}}\n',
      [{ path: 'app.py', content: 'x' }]);
    expect(objects[0].binaryData).toBeUndefined();
    const binary = await convert([{
      file: 'in.yml',
      text: 'kind: Lambda\nmetadata: {name: f}\nspec: {runtime: python3.12, handler: app.handler, code: {source: directory}}\n',
      siblings: async () => [{ path: 'app.py', content: Buffer.from('x') }, { path: 'blob.bin', content: Buffer.from([0xff, 0xfe, 0x00]) }],
    }], 'ns');
    const [configMap] = parseAllDocuments(render(binary.documents)).map((d) => d.toJS());
    expect(configMap.binaryData).toEqual({ 'blob.bin': Buffer.from([0xff, 0xfe, 0x00]).toString('base64') });
  });

  it('reports kinds it does not manage and documents that are no manifests, and leaves them out', async () => {
    const { objects, notes } = await convertText(`kind: ActionGroup
metadata: {name: a}
spec: {}
---
just: a map
---
kind: IAMRole
metadata: {name: r}
spec: {}
`);
    expect(objects.map((o) => o.kind)).toEqual(['IAMRole']);
    expect(notes.filter((n) => n.level === 'error').map((n) => n.message)).toEqual([
      expect.stringContaining('kind ActionGroup is not managed by this operator'),
      expect.stringContaining('has no kind'),
    ]);
  });

  it('refuses code too large for a ConfigMap, saying to use S3', async () => {
    const { notes } = await convertText('kind: Lambda\nmetadata: {name: f}\nspec: {runtime: python3.12, handler: app.handler, code: {source: directory}}\n',
      [{ path: 'app.py', content: 'x'.repeat(1_100_000) }]);
    expect(notes).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('code.s3Bucket') }));
  });

  it('converts every seed manifest', async () => {
    const result = await convert(await readInputs([fixtures]), 'default');
    expect(result.notes.filter((n) => n.level === 'error')).toEqual([]);
    const kinds = parseAllDocuments(render(result.documents)).map((d) => `${d.get('kind')}/${d.getIn(['metadata', 'name'])}`);
    expect(kinds).toEqual(expect.arrayContaining([
      'IAMRole/custom-agent-role', 'IAMRole/enterprise-agent-role', 'IAMRole/least-privilege-agent-role',
      'IAMRole/cross-account-agent-role', 'IAMRole/time-restricted-agent-role', 'IAMRole/env-specific-agent-role',
      'Agent/custom-agent', 'Lambda/custom-lambda', 'ConfigMap/order-lookup-code', 'Lambda/order-lookup',
    ]));
  });
});
