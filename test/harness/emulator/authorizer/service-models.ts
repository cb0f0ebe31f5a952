// Which API operation an HTTP request is, and its input, read from botocore's service models (the
// published data the AWS SDKs are generated from; the moto venv ships them as
// site-packages/botocore/data/<service>/<version>/service-2.json.gz). Query APIs (IAM, STS) name
// the operation in `Action=`; REST APIs (Lambda, bedrock-agent, S3) by method and URI template.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

interface ShapeRef { shape: string; location?: string; locationName?: string; flattened?: boolean }
interface Shape {
  type: string;
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  flattened?: boolean;
  payload?: string;
  locationName?: string;
}
interface Operation { name: string; http: { method: string; requestUri: string }; input?: { shape: string } }
interface Model {
  metadata: { protocol: string; signingName?: string; endpointPrefix: string; serviceId: string; xmlNamespace?: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

/** One API as the front knows it. */
export interface ServiceModel {
  /** botocore's name of the API: iam, lambda, bedrock-agent. */
  api: string;
  protocol: 'query' | 'rest-json' | 'rest-xml' | 'json' | (string & {});
  /** The SigV4 signing name, which is also the IAM action prefix of the API's operations. */
  signingName: string;
  /** The name of the message member of the API's AccessDeniedException, when the model has one. */
  accessDeniedMessageMember: string | undefined;
  model: Model;
  routes: Route[];
}

interface Route {
  operation: Operation;
  method: string;
  segments: string[];
  /** Query keys (and values, when given) the URI template requires: `?List=ALL`. */
  query: Array<[string, string | undefined]>;
  literals: number;
}

/** An HTTP request as the front received it. */
export interface HttpRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface MatchedOperation {
  service: ServiceModel;
  operation: string;
  /** The operation's input, by member name (nested structures, lists and maps as JSON values). */
  input: Record<string, unknown>;
}

/** The APIs the front looks for, by the directory botocore keeps them in. */
const APIS = ['iam', 'sts', 'lambda', 'bedrock-agent', 'bedrock', 's3', 'bedrock-agentcore-control'];

export class ServiceModels {
  readonly #bySigningName = new Map<string, ServiceModel[]>();

  constructor(botocoreDataDir: string, apis: string[] = APIS) {
    for (const api of apis) {
      const service = loadModel(botocoreDataDir, api);
      const list = this.#bySigningName.get(service.signingName) ?? [];
      list.push(service);
      this.#bySigningName.set(service.signingName, list);
    }
  }

  /** The operation a request signed for `signingName` is, and its input; undefined if no model of that name has it. */
  match(signingName: string, request: HttpRequest): MatchedOperation | undefined {
    for (const service of this.#bySigningName.get(signingName) ?? []) {
      const matched = service.protocol === 'query' ? matchQuery(service, request) : matchRest(service, request);
      if (matched) return matched;
    }
    return undefined;
  }

  /** The APIs of a signing name (the first is the one errors are written for when no operation matched). */
  services(signingName: string): ServiceModel[] {
    return this.#bySigningName.get(signingName) ?? [];
  }
}

function loadModel(dataDir: string, api: string): ServiceModel {
  const versions = readdirSync(join(dataDir, api)).filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v)).sort();
  const latest = versions.at(-1);
  if (!latest) throw new Error(`botocore has no model of ${api} in ${dataDir}`);
  const model = JSON.parse(gunzipSync(readFileSync(join(dataDir, api, latest, 'service-2.json.gz'))).toString('utf8')) as Model;
  const accessDenied = model.shapes.AccessDeniedException;
  return {
    api,
    protocol: model.metadata.protocol,
    signingName: model.metadata.signingName ?? model.metadata.endpointPrefix,
    accessDeniedMessageMember: Object.keys(accessDenied?.members ?? {}).find((m) => m.toLowerCase() === 'message'),
    model,
    routes: Object.values(model.operations).map(route),
  };
}

function route(operation: Operation): Route {
  const [path = '/', query = ''] = operation.http.requestUri.split('?');
  const segments = trimSlash(path).split('/');
  return {
    operation,
    method: operation.http.method,
    segments,
    query: query ? [...new URLSearchParams(query)].map(([k, v]) => [k, v === '' ? undefined : v]) : [],
    literals: segments.filter((s) => !s.startsWith('{')).length,
  };
}

const trimSlash = (path: string): string => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);

function matchQuery(service: ServiceModel, request: HttpRequest): MatchedOperation | undefined {
  const url = new URL(request.url, 'http://front');
  const form = new URLSearchParams(request.method === 'GET' ? url.search : request.body.toString('utf8'));
  for (const [key, value] of url.searchParams) if (!form.has(key)) form.append(key, value);
  const action = form.get('Action');
  const operation = action ? service.model.operations[action] : undefined;
  if (!operation) return undefined;
  const flat = new Map(form);
  const input = operation.input ? readQueryStructure(service.model, operation.input.shape, '', flat) : {};
  return { service, operation: operation.name, input };
}

function readQueryValue(model: Model, shapeName: string, prefix: string, form: Map<string, string>, flattened = false): unknown {
  const shape = model.shapes[shapeName]!;
  switch (shape.type) {
    case 'structure':
      return readQueryStructure(model, shapeName, `${prefix}.`, form);
    case 'list': {
      const itemPrefix = shape.flattened || flattened ? prefix : `${prefix}.${shape.member?.locationName ?? 'member'}`;
      const items: unknown[] = [];
      for (let i = 1; [...form.keys()].some((k) => k === `${itemPrefix}.${i}` || k.startsWith(`${itemPrefix}.${i}.`)); i++) {
        items.push(readQueryValue(model, shape.member!.shape, `${itemPrefix}.${i}`, form));
      }
      return items.length > 0 || form.has(prefix) ? items : undefined;
    }
    case 'map': {
      const entryPrefix = shape.flattened ? prefix : `${prefix}.entry`;
      const out: Record<string, unknown> = {};
      for (let i = 1; form.has(`${entryPrefix}.${i}.${shape.key?.locationName ?? 'key'}`); i++) {
        out[form.get(`${entryPrefix}.${i}.${shape.key?.locationName ?? 'key'}`)!] = readQueryValue(model, shape.value!.shape, `${entryPrefix}.${i}.${shape.value?.locationName ?? 'value'}`, form);
      }
      return Object.keys(out).length > 0 ? out : undefined;
    }
    default:
      return form.get(prefix);
  }
}

function readQueryStructure(model: Model, shapeName: string, prefix: string, form: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(model.shapes[shapeName]?.members ?? {})) {
    const value = readQueryValue(model, ref.shape, `${prefix}${ref.locationName ?? name}`, form, ref.flattened);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function matchRest(service: ServiceModel, request: HttpRequest): MatchedOperation | undefined {
  const url = new URL(request.url, 'http://front');
  const segments = trimSlash(url.pathname).split('/');
  let best: { route: Route; labels: Record<string, string> } | undefined;
  for (const candidate of service.routes) {
    if (candidate.method !== request.method) continue;
    if (candidate.query.some(([k, v]) => !url.searchParams.has(k) || (v !== undefined && url.searchParams.get(k) !== v))) continue;
    const labels = matchSegments(candidate.segments, segments);
    if (!labels) continue;
    if (!best || candidate.literals + candidate.query.length > best.route.literals + best.route.query.length) best = { route: candidate, labels };
  }
  if (!best) return undefined;
  const operation = best.route.operation;
  return { service, operation: operation.name, input: operation.input ? readRestInput(service.model, operation.input.shape, best.labels, url, request) : {} };
}

/** The URI labels if the path matches the template's segments (`{Name}` one segment, `{Name+}` the rest). */
function matchSegments(template: string[], path: string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const part = template[i]!;
    const label = /^\{([^}+]+)(\+?)\}$/.exec(part);
    if (label?.[2] === '+') {
      if (i >= path.length) return undefined;
      labels[label[1]!] = path.slice(i).map(decode).join('/');
      return labels;
    }
    if (i >= path.length) return undefined;
    if (label) {
      if (path[i] === '') return undefined;
      labels[label[1]!] = decode(path[i]!);
    } else if (part !== path[i]) {
      return undefined;
    }
  }
  return template.length === path.length ? labels : undefined;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function readRestInput(model: Model, shapeName: string, labels: Record<string, string>, url: URL, request: HttpRequest): Record<string, unknown> {
  const shape = model.shapes[shapeName]!;
  const out: Record<string, unknown> = {};
  let body: Record<string, unknown> = {};
  const contentType = String(request.headers['content-type'] ?? '');
  if (request.body.length > 0 && (contentType.includes('json') || request.body[0] === 0x7b)) {
    try {
      body = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      body = {};
    }
  }
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const key = ref.locationName ?? name;
    const memberShape = model.shapes[ref.shape];
    switch (ref.location) {
      case 'uri':
        if (labels[key] !== undefined) out[name] = labels[key];
        break;
      case 'querystring':
        if (memberShape?.type === 'list') {
          const values = url.searchParams.getAll(key);
          if (values.length > 0) out[name] = values;
        } else if (memberShape?.type === 'map') {
          out[name] = Object.fromEntries(url.searchParams);
        } else if (url.searchParams.has(key)) {
          out[name] = url.searchParams.get(key);
        }
        break;
      case 'header': {
        const value = request.headers[key.toLowerCase()];
        if (value !== undefined) out[name] = Array.isArray(value) ? value.join(',') : value;
        break;
      }
      case 'headers':
      case 'statusCode':
        break;
      default:
        if (shape.payload === name) {
          if (memberShape?.type === 'structure') out[name] = body;
        } else if (body[key] !== undefined) {
          out[name] = body[key];
        }
    }
  }
  return out;
}
