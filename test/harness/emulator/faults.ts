// Fault injection in the emulator (faults_ext.py): chosen AWS requests fail with an error of the
// API's own wire format (throttling, 5xx), so that retries and backoff can be tested, or hang, so
// that deadlines (AbortSignal) can be tested. A rule fails or holds `count` matching requests, then
// stops matching; POST /moto-api/reset (resetAws) removes all rules.

/** Signing names (iam, sts, lambda, bedrock: every Bedrock API) or botocore API names (bedrock-agent, …). */
export type FaultService = 'iam' | 'sts' | 'lambda' | 'bedrock' | 'bedrock-agent' | 's3' | (string & {});

interface FaultMatch {
  /** Only requests to this service (default: any). */
  service?: FaultService;
  /** Only this operation (`CreateRole`, `GetFunction`) or requests whose `METHOD /path` starts with this (default: any). */
  operation?: string;
  /** How many matching requests fail or hang (default 1); -1: every one until the rules are cleared. */
  count?: number;
  /** Error message (default: "Rate exceeded" for throttling codes, else a note that the fault was injected). */
  message?: string;
}

/** Matching requests are answered at once with an error. */
export interface ErrorFaultRule extends FaultMatch {
  hang?: false;
  /** HTTP status of the error, 400–599 (IAM throttles with 400, Lambda with 429, 503 for ServiceUnavailable). */
  status: number;
  /** Error code, as the SDK reports it in `error.name`: `Throttling`, `ThrottlingException`, `TooManyRequestsException`, `ServiceUnavailable`, … */
  code: string;
}

/**
 * Matching requests hang, as on a hung AWS endpoint: the emulator holds each one without answering
 * until the rule is removed (clearFaults, resetAws) or 300 s pass, then answers it with the error
 * `status`/`code` (default 503 ServiceUnavailable). A held request never reaches the emulated AWS
 * account, even once released. Other requests are answered meanwhile.
 */
export interface HangFaultRule extends FaultMatch {
  hang: true;
  /** HTTP status of the answer once released (default 503). */
  status?: number;
  /** Error code of the answer once released (default `ServiceUnavailable`). */
  code?: string;
}

export type FaultRule = ErrorFaultRule | HangFaultRule;

/** A rule as the emulator holds it. */
export interface InjectedFault {
  id: string;
  service: FaultService | null;
  operation: string | null;
  status: number;
  code: string;
  message: string;
  count: number;
  hang: boolean;
  /** Matching requests still to fail or hang; -1: unlimited. */
  remaining: number;
  /** Requests answered with this fault so far; for a hang rule, requests it held (released or not). */
  failed: number;
  /** Requests a hang rule holds right now (0 for other rules). */
  held: number;
}

async function faultsApi(endpoint: string, method: 'GET' | 'POST' | 'DELETE', body?: unknown): Promise<unknown> {
  const response = await fetch(`${endpoint}/moto-api/faults`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`fault injection ${method}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as unknown;
}

/** Adds a rule: the next `count` requests it matches fail with its error, or hang. */
export async function injectFault(endpoint: string, rule: FaultRule): Promise<InjectedFault> {
  return (await faultsApi(endpoint, 'POST', rule)) as InjectedFault;
}

/** The rules, in the order they were added, exhausted ones included. */
export async function listFaults(endpoint: string): Promise<InjectedFault[]> {
  return ((await faultsApi(endpoint, 'GET')) as { faults: InjectedFault[] }).faults;
}

/** Removes every rule, releasing the requests hang rules hold. */
export async function clearFaults(endpoint: string): Promise<void> {
  await faultsApi(endpoint, 'DELETE');
}
