// Counts the AWS calls the emulator received, independently of the operator's own metrics:
// moto's request recorder logs every request, retries included.
export async function startRecording(endpoint: string): Promise<void> {
  for (const step of ['stop-recording', 'reset-recording', 'start-recording']) {
    const response = await fetch(`${endpoint}/moto-api/recorder/${step}`, { method: 'POST' });
    if (!response.ok) throw new Error(`moto recorder ${step}: HTTP ${response.status}`);
  }
}

export interface RecordedCall {
  /** The operation: `Action` of query-protocol services (IAM), else `METHOD /path` (Lambda, Bedrock). */
  operation: string;
  /** The form parameters of a query-protocol request (RoleName, PolicyName, …). */
  params: Record<string, string>;
}

export async function recordedCalls(endpoint: string): Promise<RecordedCall[]> {
  const text = await (await fetch(`${endpoint}/moto-api/recorder/download-recording`)).text();
  const lines = text.split('\n').filter((l) => l.trim());
  return lines.flatMap((line, i) => {
    let entry: { method: string; url?: string; path?: string; body?: string; body_encoded?: boolean };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch (error) {
      // The last line may still be being written.
      if (i === lines.length - 1) return [];
      throw error;
    }
    const body = entry.body && entry.body_encoded ? Buffer.from(entry.body, 'base64').toString() : entry.body ?? '';
    const url = new URL(entry.url ?? entry.path ?? '/', 'http://x');
    const params = Object.fromEntries([...url.searchParams, ...(body.startsWith('{') ? [] : new URLSearchParams(body))]);
    return [{ operation: params.Action ?? `${entry.method} ${decodeURIComponent(url.pathname)}`, params }];
  }).filter((c) => !c.operation.includes('/moto-api/'));
}

/**
 * bedrock-agent's List operations are POSTs to a collection (`POST /agents/`, `POST
 * /agents/{id}/agentversions/DRAFT/actiongroups/`); its creates are PUTs to the same paths.
 */
const BEDROCK_AGENT_LIST = /^POST \/agents\/(?:[^/]+\/(?:agentversions\/[^/]+\/(?:actiongroups|knowledgebases)|agentaliases|agentversions)\/)?$/;

/** bedrock's control plane (guardrails) reads a resource's tags with a POST. */
const BEDROCK_READS = /^POST \/listTagsForResource$/;

/** Operations that change something: everything but Get*, List*, Describe*, GET requests and bedrock's POSTed reads. */
export function isWrite(call: RecordedCall): boolean {
  return !/^(Get|List|Describe)|^GET /.test(call.operation) && !BEDROCK_AGENT_LIST.test(call.operation) && !BEDROCK_READS.test(call.operation);
}
