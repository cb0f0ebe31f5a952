// An action group's inline API schema must be an OpenAPI 3 document, as Bedrock requires: parsed
// (JSON or YAML) and validated with a maintained parser (@apidevtools/swagger-parser, MIT) before
// any AWS call. References outside the document are not followed: Bedrock does not follow them
// either, and the operator reads nothing but the spec.
import { createHash } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import { parse as parseYaml } from 'yaml';
import { TerminalError } from '../../runtime/errors.ts';

/** Verdicts by payload hash: validation compiles a JSON schema, too much for every pass of every agent. */
const verdicts = new Map<string, Promise<string | undefined>>();
const MAX_VERDICTS = 1_000;

/** Why the payload is not an OpenAPI 3 document, or undefined when it is one (remembered by content). */
export function apiSchemaProblem(payload: string): Promise<string | undefined> {
  const key = createHash('sha256').update(payload).digest('base64url');
  let verdict = verdicts.get(key);
  if (!verdict) {
    if (verdicts.size >= MAX_VERDICTS) verdicts.delete(verdicts.keys().next().value!);
    verdict = validate(payload);
    verdicts.set(key, verdict);
  }
  return verdict;
}

async function validate(payload: string): Promise<string | undefined> {
  let document: unknown;
  try {
    document = payload.trimStart().startsWith('{') ? JSON.parse(payload) : parseYaml(payload);
  } catch (error) {
    return `it is neither JSON nor YAML (${(error as Error).message.split('\n')[0]})`;
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) return 'it is not an object';
  const version = (document as { openapi?: unknown }).openapi;
  if (typeof version !== 'string' || !version.startsWith('3.')) {
    return (document as { swagger?: unknown }).swagger ? 'it is Swagger 2.0; Bedrock takes OpenAPI 3 (openapi: 3.0.x)' : 'it has no openapi: 3.x field';
  }
  const external = externalReference(document);
  if (external) return `it refers to ${external} outside the document; Bedrock reads the schema alone: inline what it refers to`;
  try {
    await SwaggerParser.validate(structuredClone(document) as never, { resolve: { external: false } });
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n').slice(0, 3).join(' ').slice(0, 500);
  }
}

/** The first `$ref` that points outside the document, if any. */
function externalReference(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.map(externalReference).find(Boolean);
  if (!value || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key === '$ref' && typeof child === 'string' && !child.startsWith('#')) return child;
    const found = externalReference(child);
    if (found) return found;
  }
  return undefined;
}

/** Refuses the first action group whose inline schema is not OpenAPI 3. */
export async function checkApiSchemas(groups: Array<{ name: string; apiSchema?: { payload?: string } }>): Promise<void> {
  for (const [i, group] of groups.entries()) {
    const payload = group.apiSchema?.payload;
    if (payload === undefined) continue;
    const problem = await apiSchemaProblem(payload);
    if (problem) {
      throw new TerminalError('InvalidApiSchema', `spec.actionGroups[${i}].apiSchema.payload (${group.name}) is not an OpenAPI 3 schema: ${problem}`);
    }
  }
}
