// The AWS calls the emulator recorded (test/harness/emulator/recorder.ts), attributed to a kind by
// the service they went to: IAM to IAMRoles (generated roles included), Lambda to Lambdas,
// bedrock-agent to Agents; anything else (STS, …) is counted apart. The service is told by the
// request itself: IAM and STS by their query-protocol Version, Lambda by its dated paths,
// bedrock-agent by its collections (/agents/, /knowledgebases/) and by the ARN of /tags/.
import { isWrite, type RecordedCall } from '../../test/harness/emulator/recorder.ts';
import type { BenchKind } from './manifests.ts';

export type Service = 'iam' | 'lambda' | 'bedrock-agent' | 'other';

export const KIND_SERVICE: Record<BenchKind, Service> = { IAMRole: 'iam', Lambda: 'lambda', Agent: 'bedrock-agent' };

export const ATTRIBUTION = 'AWS calls are counted by the emulator\'s recorder and attributed by service: IAM to IAMRoles (generated roles included), Lambda to Lambdas, bedrock-agent to Agents';

const IAM_VERSION = '2010-05-08';

export function serviceOf(call: RecordedCall): Service {
  if (call.params.Action) return call.params.Version === IAM_VERSION ? 'iam' : 'other';
  const path = call.operation.slice(call.operation.indexOf(' ') + 1);
  if (/^\/20\d\d-\d\d-\d\d\//.test(path)) return 'lambda';
  if (/^\/(agents|knowledgebases)\//.test(path) || path.startsWith('/tags/arn:aws:bedrock:')) return 'bedrock-agent';
  return 'other';
}

/** Collections whose next path segment names one item: replaced by {…} so that operations group. */
const COLLECTIONS = new Set(['functions', 'agents', 'agentversions', 'actiongroups', 'agentaliases', 'knowledgebases', 'aliases', 'versions']);

/** The operation without the names in its path: `GET /2015-03-31/functions/{…}/policy`. */
export function operationName(call: RecordedCall): string {
  if (call.params.Action) return call.params.Action;
  const [method, path = ''] = call.operation.split(' ', 2);
  if (/\/tags\//.test(path)) return `${method} ${path.replace(/\/tags\/.*$/, '/tags/{…}')}`;
  const segments = path.split('/');
  const named = segments.map((segment, i) => (i > 0 && COLLECTIONS.has(segments[i - 1]!) && segment !== '' ? '{…}' : segment));
  return `${method} ${named.join('/')}`;
}

export interface ServiceTally {
  calls: number;
  writes: number;
  /** Calls by operation, most frequent first. */
  operations: Record<string, number>;
}

export function tally(calls: readonly RecordedCall[]): Record<Service, ServiceTally> {
  const empty = (): ServiceTally => ({ calls: 0, writes: 0, operations: {} });
  const result: Record<Service, ServiceTally> = { iam: empty(), lambda: empty(), 'bedrock-agent': empty(), other: empty() };
  for (const call of calls) {
    const entry = result[serviceOf(call)];
    const operation = operationName(call);
    entry.calls++;
    if (isWrite(call)) entry.writes++;
    entry.operations[operation] = (entry.operations[operation] ?? 0) + 1;
  }
  for (const entry of Object.values(result)) {
    entry.operations = Object.fromEntries(Object.entries(entry.operations).sort(([, a], [, b]) => b - a));
  }
  return result;
}
