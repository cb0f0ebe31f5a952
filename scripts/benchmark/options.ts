// The benchmark's command line: how many objects of each kind, the operator's flags, where the JSON
// goes. `--resources N` counts every object the operator reconciles, generated IAMRoles included
// (each Lambda and each Agent gets one), and is split by DEFAULT_SHARES; --roles, --lambdas and
// --agents set a kind's count explicitly and win over the split.
import { parseArgs } from 'node:util';
import { formatAwsQps, parseAwsQps } from '../../src/aws/rate-limits.ts';

export const MAX_RESOURCES = 10_000;

/** Shares of --resources: Agents and Lambdas first; IAMRoles take the rest (applied and generated). */
export const DEFAULT_SHARES = { agents: 0.05, lambdas: 0.10 } as const;

export const USAGE = `npm run bench -- [options]
  --resources N   objects the operator reconciles, generated IAMRoles included (default 300, at most ${MAX_RESOURCES}),
                  split ${DEFAULT_SHARES.agents * 100}% Agents, ${DEFAULT_SHARES.lambdas * 100}% Lambdas and the rest IAMRoles; with the IAMRole
                  generated for each Lambda and each Agent, IAMRoles are 85% of all
  --roles N --lambdas N --agents N   explicit counts of applied objects (override the split)
  --resync S      the operator's --resync (default 20)
  --workers W     the operator's --workers (default 4)
  --aws-qps LIST  the operator's budget on AWS, service=calls-per-second pairs over its defaults (default: its
                  defaults, as shipped, not the test bed's raised budget); the emulator has no quota, so a
                  higher budget measures the operator rather than the budget
  --json PATH     where the figures go as JSON (default bench-results/<timestamp>.json)`;

export interface Counts {
  /** IAMRoles the benchmark applies (the generated ones come on top). */
  roles: number;
  lambdas: number;
  /** Agents; agent i's action group calls Lambda i modulo `lambdas`. */
  agents: number;
}

export interface BenchOptions {
  counts: Counts;
  /** Objects the operator reconciles: applied plus one generated IAMRole per Lambda and per Agent. */
  resources: number;
  /** How the counts were chosen, for the output. */
  split: string;
  resyncS: number;
  workers: number;
  /** The operator's --aws-qps, every service spelled out; and whether it is the operator's defaults. */
  awsQps: string;
  awsQpsIsDefault: boolean;
  jsonPath: string;
  /** The arguments as given. */
  argv: string[];
}

/** Objects the operator reconciles for these counts. */
export function totalResources(counts: Counts): number {
  return counts.roles + 2 * counts.lambdas + 2 * counts.agents;
}

/** Counts for a total of `resources`, by DEFAULT_SHARES. */
export function splitResources(resources: number): Counts {
  const agents = Math.round(resources * DEFAULT_SHARES.agents);
  const lambdas = Math.max(agents > 0 ? 1 : 0, Math.round(resources * DEFAULT_SHARES.lambdas));
  return { roles: Math.max(0, resources - 2 * lambdas - 2 * agents), lambdas, agents };
}

function count(value: string | undefined, flag: string, max = MAX_RESOURCES): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`${flag} must be a whole number from 0 to ${max}, not ${value}`);
  return n;
}

export function parseOptions(argv: string[], now = new Date()): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      resources: { type: 'string' }, roles: { type: 'string' }, lambdas: { type: 'string' }, agents: { type: 'string' },
      resync: { type: 'string', default: '20' }, workers: { type: 'string', default: '4' }, json: { type: 'string' },
      'aws-qps': { type: 'string', default: '' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const requested = count(values.resources, '--resources') ?? 300;
  const split = splitResources(requested);
  const explicit = { roles: count(values.roles, '--roles'), lambdas: count(values.lambdas, '--lambdas'), agents: count(values.agents, '--agents') };
  const counts: Counts = { roles: explicit.roles ?? split.roles, lambdas: explicit.lambdas ?? split.lambdas, agents: explicit.agents ?? split.agents };
  if (counts.agents > 0 && counts.lambdas === 0) throw new Error('Agents need at least one Lambda for their action group: set --lambdas');
  const resources = totalResources(counts);
  if (resources === 0) throw new Error('nothing to benchmark: every count is 0');
  if (resources > MAX_RESOURCES) throw new Error(`${resources} resources (generated IAMRoles included) is more than ${MAX_RESOURCES}`);
  const overridden = Object.entries(explicit).filter(([, n]) => n !== undefined).map(([kind]) => `--${kind}`);
  const shares = `${DEFAULT_SHARES.agents * 100}% Agents, ${DEFAULT_SHARES.lambdas * 100}% Lambdas, the rest IAMRoles`;
  return {
    counts,
    resources,
    split: overridden.length === 0
      ? `default split of --resources ${requested}: ${shares}`
      : `${overridden.join(', ')} as given${overridden.length < 3 ? `, the other kinds by the default split of --resources ${requested} (${shares})` : ''}`,
    resyncS: positive(values.resync!, '--resync'),
    workers: positive(values.workers!, '--workers'),
    awsQps: formatAwsQps(parseAwsQps(values['aws-qps']!)),
    awsQpsIsDefault: values['aws-qps'] === '',
    jsonPath: values.json ?? `bench-results/${now.toISOString().replace(/[:.]/g, '-')}.json`,
    argv,
  };
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a whole number above 0, not ${value}`);
  return n;
}
