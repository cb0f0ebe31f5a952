// The tools an Agent's action groups become on Bedrock AgentCore (docs/research/agentcore.md 1.2,
// 1.8, 2.2, 5): a Lambda action group becomes a gateway Lambda target described by ToolDefinitions,
// one per function or OpenAPI operation; a RETURN_CONTROL group becomes harness `inline_function`
// tools. AgentCore's SchemaDefinition keeps only type, properties, required, items and description,
// so OpenAPI schemas are narrowed to that here (an enum is folded into the description) and what
// cannot be narrowed (oneOf, recursion, a non-JSON body) is refused with the operation's name,
// before any AWS call. Pure logic: the controller compares the result with what AWS returns
// (sameTools) to see drift.
import { createHash } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { HarnessInlineFunctionConfig, HarnessTool, SchemaDefinition, SchemaType, ToolDefinition } from '@aws-sdk/client-bedrock-agentcore-control';
import { parse as parseYaml } from 'yaml';
import type { AgentSpec } from '../../../api/agent.ts';
import { apiSchemaProblem } from '../api-schema.ts';

export type ActionGroup = NonNullable<AgentSpec['actionGroups']>[number];

/**
 * Tool names: the harness's HarnessToolName is `[a-zA-Z0-9_-]+`, 1 to 64 characters. The model puts
 * no pattern or length on ToolDefinition.name, but the model behind the harness sees a gateway tool
 * as `<target>___<tool>` and takes tool names of `^[a-zA-Z0-9_-]{1,64}$` (Claude's rule), so gateway
 * tools follow the same rule here; the caller keeps target name + 3 + tool name within 64.
 */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_TOOL_NAME = 64;
/** HarnessInlineFunctionDescription: 1 to 4096 characters (ToolDefinition.description has no bound). */
const MAX_INLINE_DESCRIPTION = 4096;
const SCHEMA_TYPES: readonly string[] = ['string', 'number', 'integer', 'boolean', 'array', 'object'] satisfies SchemaType[];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One ToolDefinition per function of a functionSchema action group, for its gateway Lambda target. */
export function functionSchemaTools(group: ActionGroup): ToolDefinition[] {
  return functionTools(group).map((tool) => {
    if (!TOOL_NAME.test(tool.name!)) {
      throw new Error(`action group ${group.name}: function ${tool.name} is not an AgentCore tool name (a-z, A-Z, 0-9, _ and -, at most ${MAX_TOOL_NAME} characters)`);
    }
    return tool;
  });
}

function functionTools(group: ActionGroup): ToolDefinition[] {
  if (!group.functionSchema) throw new Error(`action group ${group.name} has no functionSchema`);
  return group.functionSchema.functions.map((fn) => {
    const parameters = Object.entries(fn.parameters ?? {});
    const required = parameters.filter(([, p]) => p.required === true).map(([name]) => name);
    // The model does not require `items` for an array, so none is invented for Classic's untyped arrays.
    const properties = Object.fromEntries(parameters.map(([name, p]) => [name, withoutUndefined<SchemaDefinition>({ type: p.type, description: p.description })]));
    return {
      name: fn.name,
      description: fn.description || fn.name,
      inputSchema: withoutUndefined<SchemaDefinition>({ type: 'object', properties, required: required.length ? required : undefined }),
    };
  });
}

/** One ToolDefinition per operation of an inline OpenAPI 3 schema (JSON or YAML). */
export async function openApiTools(payload: string): Promise<ToolDefinition[]> {
  return (await openApiOperationTools(payload)).map((o) => o.tool);
}

/** The tools of an OpenAPI schema with the operation each stands for (what a Lambda shim needs to call the original). */
export async function openApiOperationTools(payload: string): Promise<Array<{ method: string; path: string; tool: ToolDefinition }>> {
  const problem = await apiSchemaProblem(payload);
  if (problem) throw new Error(`the apiSchema payload is not an OpenAPI 3 schema: ${problem}`);
  const parsed: unknown = payload.trimStart().startsWith('{') ? JSON.parse(payload) : parseYaml(payload);
  // Validated above, so references are local; dereferencing keeps shared objects shared, and a
  // recursive schema becomes a cycle that toSchema refuses.
  const document = await SwaggerParser.dereference(parsed as never, { resolve: { external: false } }) as unknown as { paths?: Record<string, Json> };
  const result: Array<{ method: string; path: string; tool: ToolDefinition }> = [];
  const byName = new Map<string, string>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const label = `${method.toUpperCase()} ${path}`;
      const operationId = typeof operation.operationId === 'string' ? operation.operationId : undefined;
      const where = operationId ? `operation ${operationId} (${label})` : `operation ${label}`;
      const name = operationToolName(operationId ?? `${method}_${path}`, where);
      const other = byName.get(name);
      if (other) throw new Error(`${where} and ${other} both become the tool ${name}; give them distinct operationIds`);
      byName.set(name, where);
      const description = [operation.description, operation.summary].find((d) => typeof d === 'string' && d.trim()) as string | undefined;
      result.push({ method, path, tool: { name, description: description ?? label, inputSchema: operationInput(item, operation, where) } });
    }
  }
  return result;
}

/** The operationId (or method_path) in the tool-name alphabet, shortened with a hash past 64 characters. */
function operationToolName(raw: string, where: string): string {
  if (TOOL_NAME.test(raw)) return raw;
  const reduced = raw.replace(/[^a-zA-Z0-9_-]+/g, '_').replace(/_{2,}/g, '_').replace(/^_+|_+$/g, '');
  if (!reduced) throw new Error(`${where}: operationId ${JSON.stringify(raw)} has none of the characters a tool name may hold (a-z, A-Z, 0-9, _ and -)`);
  return bounded(reduced);
}

/** `name` if it fits 64 characters, else its start and a hash of the whole (as boundedName in generated-roles.ts). */
function bounded(name: string): string {
  if (name.length <= MAX_TOOL_NAME) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_TOOL_NAME - hash.length - 1)}-${hash}`;
}

/** An operation's input: its path, query and header parameters, then the properties of its JSON body. */
function operationInput(item: Json, operation: Json, where: string): SchemaDefinition {
  // Operation parameters override path-item parameters of the same name and location.
  const parameters = new Map<string, Json>();
  for (const p of [...asList(item.parameters), ...asList(operation.parameters)]) parameters.set(`${p.in}:${p.name}`, p);
  const properties: Record<string, SchemaDefinition> = {};
  const required: string[] = [];
  for (const p of parameters.values()) {
    const name = String(p.name);
    const at = `${where}, ${p.in} parameter ${name}`;
    if (!['path', 'query', 'header'].includes(String(p.in))) throw new Error(`${at}: only path, query and header parameters can be a tool's input`);
    if (properties[name]) throw new Error(`${where}: two parameters are named ${name}; a tool's input has one property per name`);
    const schema = p.schema ?? Object.values(isObject(p.content) ? p.content : {}).map((m) => (m as Json).schema)[0];
    properties[name] = toSchema(schema, at, [], typeof p.description === 'string' ? p.description : undefined);
    if (p.required === true || p.in === 'path') required.push(name);
  }
  const body = operation.requestBody;
  if (isObject(body)) {
    const content = isObject(body.content) ? body.content : {};
    const json = Object.keys(content).find((type) => type.split(';')[0]!.trim().toLowerCase() === 'application/json');
    if (!json) throw new Error(`${where}: its request body is ${Object.keys(content).join(', ') || 'without content'}; only an application/json body can be a tool's input`);
    const schema = toSchema((content[json] as Json | undefined)?.schema, `${where}, request body`);
    if (schema.type !== 'object') throw new Error(`${where}: its JSON request body is ${schema.type === 'array' ? 'an array' : `a ${schema.type}`}; only an object body (whose properties become the tool's input) can be expressed`);
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if (properties[name]) throw new Error(`${where}: ${name} is both a parameter and a property of the request body; a tool's input has one property per name`);
      properties[name] = property;
    }
    // An optional body's required properties are required only when the body is sent.
    if (body.required === true) required.push(...(schema.required ?? []));
  }
  return withoutUndefined<SchemaDefinition>({ type: 'object', properties, required: required.length ? required : undefined });
}

const asList = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

/**
 * An OpenAPI (JSON Schema) node as a SchemaDefinition. `ancestors` catches recursion, which
 * dereferencing turns into a cycle; `description` is a parameter's, which wins over its schema's.
 */
function toSchema(node: unknown, where: string, ancestors: object[] = [], description?: string): SchemaDefinition {
  if (!isObject(node)) throw new Error(`${where} has no schema`);
  if (ancestors.includes(node)) throw new Error(`${where} is recursive; an AgentCore tool schema cannot express recursion`);
  if ('$ref' in node) throw new Error(`${where} keeps an unresolved $ref ${String(node.$ref)}`);
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    if (!Array.isArray(node[keyword])) continue;
    // The nullable idiom, [X, {type: null}], is X; any other choice has no SchemaDefinition equivalent.
    const choices = (node[keyword] as unknown[]).filter((c) => !(isObject(c) && c.type === 'null'));
    if (choices.length !== 1) throw new Error(`${where} uses ${keyword}; an AgentCore tool schema has no ${keyword}: give it a single type`);
    const { [keyword]: _, ...rest } = node;
    return toSchema({ ...rest, ...(choices[0] as Json) }, where, [...ancestors, node], description ?? (typeof node.description === 'string' ? node.description : undefined));
  }
  if ('not' in node) throw new Error(`${where} uses not; an AgentCore tool schema has no not`);
  const path = [...ancestors, node];
  if (Array.isArray(node.allOf)) {
    // allOf of one schema is that schema; allOf of objects merges their properties; nothing else is expressible.
    const { allOf, ...rest } = node;
    const members = allOf as unknown[];
    if (members.length === 1) return toSchema({ ...(members[0] as Json), ...rest }, where, path, description);
    const own = isObject(rest.properties) ? [{ type: 'object', properties: rest.properties, required: rest.required }] : [];
    const parts = [...members, ...own].map((member) => toSchema(member, where, path));
    if (parts.some((p) => p.type !== 'object')) throw new Error(`${where} uses allOf of other than objects; an AgentCore tool schema cannot express it`);
    const required = [...new Set(parts.flatMap((p) => p.required ?? []))];
    return withoutUndefined<SchemaDefinition>({
      type: 'object',
      description: describe(description ?? (typeof rest.description === 'string' ? rest.description : undefined), undefined),
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
      required: required.length ? required : undefined,
    });
  }
  const type = schemaType(node, where);
  const enumValues = Array.isArray(node.enum) ? node.enum : 'const' in node ? [node.const] : undefined;
  const text = describe(description ?? (typeof node.description === 'string' ? node.description : undefined), enumValues);
  const schema: SchemaDefinition = { type, description: text };
  if (type === 'object' && isObject(node.properties)) {
    schema.properties = Object.fromEntries(Object.entries(node.properties).map(([name, child]) => [name, toSchema(child, `${where}.${name}`, path)]));
    const required = Array.isArray(node.required) ? node.required.filter((r): r is string => typeof r === 'string') : [];
    if (required.length) schema.required = required;
  }
  if (type === 'array' && node.items !== undefined) {
    if (Array.isArray(node.items)) throw new Error(`${where} has tuple items; an AgentCore tool schema has one items schema`);
    schema.items = toSchema(node.items, `${where}[]`, path);
  }
  return withoutUndefined(schema);
}

/** The node's type; a missing one is inferred from properties, items or enum, else string. */
function schemaType(node: Json, where: string): SchemaType {
  let type = node.type;
  if (Array.isArray(type)) {
    // OpenAPI 3.1's ["string", "null"] is a nullable string.
    const types = type.filter((t) => t !== 'null');
    if (types.length !== 1) throw new Error(`${where} has types ${type.join(', ')}; an AgentCore tool schema has one type`);
    type = types[0];
  }
  if (type === undefined) {
    const sample = Array.isArray(node.enum) ? node.enum.find((v) => v !== null) : node.const;
    if (isObject(node.properties) || node.additionalProperties !== undefined) return 'object';
    if (node.items !== undefined) return 'array';
    if (typeof sample === 'boolean') return 'boolean';
    if (typeof sample === 'number') return Array.isArray(node.enum) && node.enum.every((v) => v === null || Number.isInteger(v)) ? 'integer' : 'number';
    return 'string';
  }
  if (typeof type !== 'string' || !SCHEMA_TYPES.includes(type)) throw new Error(`${where} has type ${JSON.stringify(type)}; an AgentCore tool schema takes ${SCHEMA_TYPES.join(', ')}`);
  return type as SchemaType;
}

/** A description with the allowed values folded in (SchemaDefinition has no enum). */
function describe(description: string | undefined, values: unknown[] | undefined): string | undefined {
  const text = description?.trim() || undefined;
  if (!values?.length) return text;
  const list = `one of: ${values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}`;
  return text ? `${text} (${list})` : `${list[0]!.toUpperCase()}${list.slice(1)}`;
}

/**
 * Harness `inline_function` tools for a RETURN_CONTROL action group: one per function, or per
 * operation of its inline OpenAPI schema, named `<group>__<tool>` (shortened with a hash past 64).
 */
export async function inlineFunctionTools(group: ActionGroup): Promise<HarnessTool[]> {
  if (group.actionGroupExecutor?.customControl !== 'RETURN_CONTROL') throw new Error(`action group ${group.name} is not customControl: RETURN_CONTROL`);
  let tools: ToolDefinition[];
  if (group.functionSchema) tools = functionTools(group);
  else if (group.apiSchema?.payload !== undefined) tools = await openApiTools(group.apiSchema.payload);
  else if (group.apiSchema?.s3) throw new Error(`action group ${group.name}: a RETURN_CONTROL action group on AgentCore needs its OpenAPI schema inline (apiSchema.payload), not in S3`);
  else return [];
  const seen = new Set<string>();
  return tools.map((tool) => {
    const name = bounded(`${group.name}__${tool.name}`);
    if (seen.has(name)) throw new Error(`action group ${group.name}: two tools become the harness tool ${name}`);
    seen.add(name);
    const description = tool.description!;
    if (description.length > MAX_INLINE_DESCRIPTION) {
      throw new Error(`action group ${group.name}: the description of ${tool.name} is ${description.length} characters; a harness inline function takes at most ${MAX_INLINE_DESCRIPTION}`);
    }
    // A SchemaDefinition is a JSON Schema, which is what the harness takes as inputSchema.
    const inputSchema = tool.inputSchema as unknown as NonNullable<HarnessInlineFunctionConfig['inputSchema']>;
    return { type: 'inline_function', name, config: { inlineFunction: { description, inputSchema } } };
  });
}

/**
 * Whether two tool lists say the same: tool order, `required` order, property order, absent
 * versus undefined members and empty `required`/`properties` do not matter.
 */
export function sameTools(a: ToolDefinition[], b: ToolDefinition[]): boolean {
  return canonical(a) === canonical(b);
}

function canonical(tools: ToolDefinition[]): string {
  return JSON.stringify(tools.map((t) => JSON.stringify({
    name: t.name,
    description: t.description,
    inputSchema: canonicalSchema(t.inputSchema),
    outputSchema: canonicalSchema(t.outputSchema),
  })).sort());
}

function canonicalSchema(schema: SchemaDefinition | undefined): unknown {
  if (!schema) return undefined;
  const properties = Object.entries(schema.properties ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  const required = [...new Set(schema.required ?? [])].sort();
  return {
    type: schema.type,
    description: schema.description,
    properties: properties.length ? properties.map(([name, child]) => [name, canonicalSchema(child)]) : undefined,
    required: required.length ? required : undefined,
    items: canonicalSchema(schema.items),
  };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
