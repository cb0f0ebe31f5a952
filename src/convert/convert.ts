// Turns Bedrock Forge manifests into custom resources of bedrockforge.io/v1alpha1:
//  - adds apiVersion and the namespace;
//  - moves what Kubernetes refuses (metadata.description) into the spec;
//  - turns a Lambda's `code.source: directory` into a ConfigMap of the files next to the YAML;
//  - with a runtime, sets each Agent's spec.runtime, and says what changes for an Agent on AgentCore;
//  - says what it could not convert.
// It edits YAML documents in place, so comments and key order survive.
import { Document, isMap, isScalar, parseAllDocuments, YAMLMap } from 'yaml';
import type { AgentRuntime, AgentSpec } from '../api/agent.ts';
import { API_VERSION, KINDS } from '../api/kinds.ts';
import { agentCoreNotes } from './agent-runtime.ts';
import { codeConfigMap, type SourceFile } from './code-configmap.ts';
import { fieldName, unknownFields, type FieldPath } from './unknown-fields.ts';
import { CODE_SOURCES as LAMBDA_CODE_SOURCES } from '../api/lambda.ts';

export type NoteLevel = 'info' | 'warning' | 'error';
export interface Note {
  level: NoteLevel;
  /** `file#index Kind/name` */
  where: string;
  message: string;
}

export interface ConvertInput {
  file: string;
  text: string;
  /**
   * Files beside the manifest (paths relative to its directory), for `code.source: directory`; or
   * those of a directory relative to it, for a `code.source` that is a path.
   */
  siblings: (subdirectory?: string) => Promise<SourceFile[]>;
}

export interface Conversion {
  documents: Document[];
  notes: Note[];
}

export interface ConvertOptions {
  /** spec.runtime of every Agent; without it an Agent keeps its own, or runs on the operator's --agent-runtime. */
  runtime?: AgentRuntime;
}

const KNOWN_METADATA = new Set(['name', 'namespace', 'labels', 'annotations']);
const MANAGED_KINDS = new Set(KINDS.map((k) => k.kind));
/** The values of a Lambda's code.source the CRD takes; any other is a path to the code. */
const CODE_SOURCES = new Set<unknown>(LAMBDA_CODE_SOURCES);
/**
 * Bedrock Forge's kinds this operator leaves to other tools, and what to do instead: a knowledge
 * base is a data pipeline (vector store, index, data sources, ingestion jobs) with a lifecycle of
 * its own, and CustomResources are Terraform modules.
 */
const UNMANAGED_KINDS: Record<string, string> = {
  KnowledgeBase: 'create the knowledge base with the tool that runs its vector store and ingestion (console, Terraform, CloudFormation) and give its ID to the Agent (spec.knowledgeBases[].knowledgeBaseId) or to an AgentKnowledgeBaseAssociation (spec.knowledgeBaseId)',
  OpenSearchServerless: 'an OpenSearch Serverless collection only serves a knowledge base, which this operator does not manage either: create both outside it',
  CustomResources: 'these are Terraform modules; apply them with Terraform',
};
export const DESCRIPTION_ANNOTATION = 'bedrockforge.io/description';

export async function convert(inputs: ConvertInput[], namespace: string, options: ConvertOptions = {}): Promise<Conversion> {
  const out: Conversion = { documents: [], notes: [] };
  for (const input of inputs) {
    const docs = parseAllDocuments(input.text);
    for (const [index, doc] of docs.entries()) {
      if (doc.contents === null) continue;
      const where = `${input.file}#${index + 1}`;
      if (doc.errors.length > 0) {
        out.notes.push({ level: 'error', where, message: `not valid YAML: ${doc.errors[0]!.message}` });
        continue;
      }
      await convertDocument(doc, input, namespace, where, out, options);
    }
  }
  return out;
}

async function convertDocument(doc: Document, input: ConvertInput, namespace: string, at: string, out: Conversion, options: ConvertOptions): Promise<void> {
  const note = (level: NoteLevel, where: string, message: string): void => {
    out.notes.push({ level, where, message });
  };
  if (!isMap(doc.contents)) return note('error', at, 'not a manifest (expected a mapping with kind, metadata and spec)');
  const kind = doc.get('kind');
  const name = doc.getIn(['metadata', 'name']);
  if (typeof kind !== 'string') return note('error', at, 'has no kind: not a Bedrock Forge manifest');
  const where = `${at} ${kind}/${typeof name === 'string' ? name : '?'}`;
  if (!MANAGED_KINDS.has(kind)) {
    const instead = UNMANAGED_KINDS[kind] ? `: ${UNMANAGED_KINDS[kind]}` : '';
    return note('error', where, `kind ${kind} is not managed by this operator (only ${[...MANAGED_KINDS].join(', ')}); left out${instead}`);
  }
  if (typeof name !== 'string' || name === '') return note('error', where, 'metadata.name is missing');

  const apiVersion = doc.get('apiVersion');
  if (apiVersion !== undefined && apiVersion !== API_VERSION) {
    note('warning', where, `apiVersion ${String(apiVersion)} replaced by ${API_VERSION}`);
  }
  setFirst(doc.contents, 'apiVersion', API_VERSION);
  if (!doc.hasIn(['metadata', 'namespace'])) doc.setIn(['metadata', 'namespace'], namespace);
  if (!isMap(doc.get('spec', true))) doc.set('spec', doc.createNode({}));

  moveDescription(doc, where, note);
  const metadata = doc.get('metadata', true) as YAMLMap;
  for (const pair of [...metadata.items]) {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    if (KNOWN_METADATA.has(key)) continue;
    metadata.delete(pair.key);
    note('warning', where, `metadata.${key} is not a Kubernetes metadata field; dropped`);
  }

  inlineOpenApi(doc, kind, where, note);
  dropUnknownFields(doc, kind, where, note);
  if (kind === 'Lambda') {
    const configMap = await lambdaCode(doc, input, name, namespace, where, note);
    if (configMap) out.documents.push(configMap);
  }
  if (kind === 'Agent') await agentRuntime(doc, name, options.runtime, where, note);
  out.documents.push(doc);
}

/** Sets spec.runtime when asked; for an Agent that runs on AgentCore, says what changes for it. */
async function agentRuntime(doc: Document, name: string, runtime: AgentRuntime | undefined, where: string, note: (l: NoteLevel, w: string, m: string) => void): Promise<void> {
  const current = doc.getIn(['spec', 'runtime']);
  if (runtime && current !== runtime) {
    setFirst(doc.get('spec', true) as YAMLMap, 'runtime', runtime);
    note('info', where, current === undefined ? `spec.runtime set to ${runtime}` : `spec.runtime ${String(current)} replaced by ${runtime}`);
  }
  if ((runtime ?? current) !== 'agentcore') return;
  try {
    for (const n of await agentCoreNotes(name, (doc.toJS() as { spec: AgentSpec }).spec)) note(n.level, where, n.message);
  } catch (error) {
    // A spec of the wrong shape: kubectl apply names the field.
    note('warning', where, `cannot tell what changes on AgentCore: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Kubernetes refuses metadata.description: it becomes spec.description (or an annotation when the spec has its own). */
function moveDescription(doc: Document, where: string, note: (l: NoteLevel, w: string, m: string) => void): void {
  const description = doc.getIn(['metadata', 'description']);
  if (description === undefined) return;
  doc.deleteIn(['metadata', 'description']);
  const specDescription = doc.getIn(['spec', 'description']);
  if (specDescription === undefined) {
    doc.setIn(['spec', 'description'], description);
    note('info', where, 'metadata.description moved to spec.description');
  } else if (specDescription !== description) {
    doc.setIn(['metadata', 'annotations', DESCRIPTION_ANNOTATION], String(description));
    note('info', where, `metadata.description moved to the annotation ${DESCRIPTION_ANNOTATION} (spec.description has its own text)`);
  }
}

/**
 * Bedrock Forge's documentation writes an OpenAPI document inline under apiSchema, which its code
 * never reads (it takes payload or s3): the document becomes apiSchema.payload, as JSON.
 */
function inlineOpenApi(doc: Document, kind: string, where: string, note: (l: NoteLevel, w: string, m: string) => void): void {
  const spec = (doc.toJS() as { spec?: { apiSchema?: unknown; actionGroups?: { apiSchema?: unknown }[] } }).spec;
  const paths: FieldPath[] = kind === 'ActionGroup' ? [['spec', 'apiSchema']]
    : kind === 'Agent' ? (spec?.actionGroups ?? []).map((_, i) => ['spec', 'actionGroups', i, 'apiSchema']) : [];
  for (const path of paths) {
    const schema = doc.getIn(path);
    if (!isMap(schema) || !schema.has('openapi')) continue;
    const { payload: _payload, s3: _s3, ...document } = schema.toJSON() as Record<string, unknown>;
    doc.setIn(path, doc.createNode({ payload: JSON.stringify(document) }));
    note('info', where, `the OpenAPI document written inline under ${fieldName(path)} moved to ${fieldName(path)}.payload`);
  }
}

/** What a field the kind does not have meant, where the operator knows a better way to say it. */
const UNKNOWN_FIELD_HINTS: [RegExp, string][] = [
  [/^spec\.knowledgeBases\[\d+\]\.name$/, 'it names a Bedrock Forge KnowledgeBase, which this operator does not manage: give the knowledge base\'s ID in knowledgeBaseId'],
  [/^spec\.apiSchema\.(openapi|info|paths|components)$/, 'an OpenAPI document goes in apiSchema.payload (as JSON or YAML text) or in S3 (apiSchema.s3)'],
  [/\.parameters\.[^.]+\.(enum|default)$/, 'Bedrock\'s function parameters have a type, a description and required only: say the allowed values in the description'],
];

/**
 * Strict field validation refuses a field the kind does not have; Bedrock Forge's code ignores
 * such a field (the CRDs have every one its models read), so it is left out, and said so.
 */
function dropUnknownFields(doc: Document, kind: string, where: string, note: (l: NoteLevel, w: string, m: string) => void): void {
  const def = KINDS.find((k) => k.kind === kind)!;
  const spec = (doc.toJS() as { spec?: unknown }).spec;
  for (const path of unknownFields(spec, JSON.parse(JSON.stringify(def.spec)) as object, ['spec'])) {
    doc.deleteIn(path);
    const name = fieldName(path);
    const hint = UNKNOWN_FIELD_HINTS.find(([pattern]) => pattern.test(name))?.[1];
    note('warning', where, `${name} is not a field of ${kind}, and Bedrock Forge's code does not read it either: left out${hint ? ` (${hint})` : ''}`);
  }
}

/** Resolves Bedrock Forge's directory code into a ConfigMap; returns it, or nothing when no change is needed. */
async function lambdaCode(
  doc: Document, input: ConvertInput, name: string, namespace: string, where: string,
  note: (l: NoteLevel, w: string, m: string) => void,
): Promise<Document | undefined> {
  const code = doc.getIn(['spec', 'code']);
  const source = doc.getIn(['spec', 'code', 'source']);
  // Bedrock Forge's generator also zips a source that is a path (./lambda-functions/x/).
  const path = typeof source === 'string' && !CODE_SOURCES.has(source) ? source : undefined;
  if (code !== undefined && source !== 'directory' && !path) return undefined;

  // Without a code block, Bedrock Forge packs the manifest's directory; that is only safe to
  // assume when the handler's module lies there (app.handler -> app.py, app.js, …).
  let files = await input.siblings(path);
  if (code === undefined) {
    const handler = doc.getIn(['spec', 'handler']);
    const module = typeof handler === 'string' ? handler.split('.')[0] : undefined;
    if (!files.some((f) => module && f.path.split('.')[0] === module)) files = [];
  }
  if (files.length === 0) {
    const message = code === undefined
      ? 'has no code and no handler module lies beside the manifest: kubectl apply refuses it until spec.code is set (s3Bucket+s3Key, zipFile, imageUri, inline or configMap)'
      : path ? `code.source ${path} holds no source files: kubectl apply refuses it until spec.code is set`
        : 'code.source is "directory" but no source files lie beside the manifest: kubectl apply refuses it until spec.code is set';
    note('warning', where, message);
    return undefined;
  }
  const built = codeConfigMap(`${name}-code`, namespace, files);
  if ('error' in built) {
    note('error', where, built.error);
    return undefined;
  }
  const ref: Record<string, unknown> = { name: built.name };
  if (built.items) ref.items = built.items;
  doc.setIn(['spec', 'code'], doc.createNode({ configMap: ref }));
  note('info', where, `code from ${path ?? 'the manifest\'s directory'} (${files.length} files) put in ConfigMap ${built.name}`);
  const configMap = new Document(built.manifest);
  configMap.commentBefore = ` Code of Lambda ${name}, from the files beside ${input.file}`;
  return configMap;
}

function setFirst(map: YAMLMap<unknown, unknown>, key: string, value: string): void {
  map.delete(key);
  map.items.unshift(new Document().createPair(key, value) as (typeof map.items)[number]);
}

/** The documents as one YAML stream; a document's own `---` (from a multi-document input) is not doubled into an empty document. */
export function render(documents: Document[]): string {
  return documents.map((d) => d.toString({ lineWidth: 0 }).replace(/^---\n/, '')).join('---\n');
}
