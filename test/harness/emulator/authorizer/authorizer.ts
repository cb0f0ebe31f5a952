// The authorizing front as the harness uses it: started by the stack in front of moto (front.ts),
// and its admin endpoints, through which a test swaps the operator's IAM policy at run time or
// reads the decisions made.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AnyPolicy } from '../../../../src/aws/iam/policy-json.ts';
import { ManagedProcess } from '../../managed-process.ts';

const frontPath = join(import.meta.dirname, 'front.ts');
const PORT_LINE = /^AUTHORIZER_PORT=(\d+)$/;
const START_TIMEOUT_MS = 30_000;

export interface Authorizer {
  process: ManagedProcess;
  /** http://127.0.0.1:PORT: the AWS endpoint every client of the stack uses. */
  endpoint: string;
}

/** botocore's service models, in the moto venv whose Python this is. */
export function botocoreDataDir(python: string): string {
  const lib = join(dirname(dirname(python)), 'lib');
  const pythonDir = readdirSync(lib).find((d) => d.startsWith('python'));
  if (!pythonDir) throw new Error(`no python*/ in ${lib}`);
  return join(lib, pythonDir, 'site-packages', 'botocore', 'data');
}

/**
 * Starts the front on a free loopback port, forwarding to moto at `motoEndpoint`. It creates the
 * stack's permissions boundary in moto before it answers anything. Decisions go to `logPath`.
 */
export async function startAuthorizer(options: { motoEndpoint: string; python: string; region: string; logPath: string }): Promise<Authorizer> {
  const front = await ManagedProcess.start({
    name: 'authorizer',
    command: process.execPath,
    args: [frontPath],
    logPath: options.logPath,
    stdinPipe: true,
    env: {
      ...process.env,
      AUTHORIZER_MOTO_URL: options.motoEndpoint,
      AUTHORIZER_BOTOCORE_DATA: botocoreDataDir(options.python),
      AUTHORIZER_REGION: options.region,
    },
  });
  try {
    const [, port] = await front.waitForLine(PORT_LINE, START_TIMEOUT_MS);
    return { process: front, endpoint: `http://127.0.0.1:${port}` };
  } catch (error) {
    await front.stop();
    throw error;
  }
}

/** One decision of the front, as it logs it. */
export interface AuthorizerDecision {
  n: number;
  time: string;
  /** The API and operation: `iam:CreateRole`, `lambda:AddPermission`, `bedrock-agent:CreateAgent`. */
  operation: string;
  /** The IAM action authorized (the operation's own, or one AWS authorizes with it). */
  action: string;
  resource: string;
  decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny' | 'Unmapped';
  context?: Record<string, unknown>;
}

async function adminCall(endpoint: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${endpoint}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  const text = await response.text();
  if (!response.ok) throw new Error(`authorizer ${method} ${path}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as unknown;
}

/** Replaces the operator's identity policy; ${AWS_ACCOUNT_ID}, ${AWS_REGION} and ${PERMISSIONS_BOUNDARY_ARN} are filled. */
export async function setOperatorPolicy(endpoint: string, document: AnyPolicy): Promise<void> {
  await adminCall(endpoint, 'POST', '/authorizer/policy', document);
}

/** Puts policies/operator-iam-policy.json back (resetAws does too). */
export async function restoreOperatorPolicy(endpoint: string): Promise<void> {
  await adminCall(endpoint, 'DELETE', '/authorizer/policy');
}

/** The operator's identity policy in force, placeholders filled. */
export async function operatorPolicyInForce(endpoint: string): Promise<AnyPolicy> {
  return (await adminCall(endpoint, 'GET', '/authorizer/policy')) as AnyPolicy;
}

/** Decisions numbered above `after` (0: all the front still keeps). */
export async function authorizerDecisions(endpoint: string, after = 0): Promise<AuthorizerDecision[]> {
  return ((await adminCall(endpoint, 'GET', `/authorizer/decisions?after=${after}`)) as { decisions: AuthorizerDecision[] }).decisions;
}

/** The policy with `actions` taken out of every Allow statement (statements left with none are dropped). */
export function withoutActions(document: AnyPolicy, actions: string[]): AnyPolicy {
  const drop = new Set(actions.map((a) => a.toLowerCase()));
  const statements = (document.Statement ?? document.statement) as Array<Record<string, unknown>>;
  const kept = (Array.isArray(statements) ? statements : [statements]).flatMap((s) => {
    if (s.Effect !== 'Allow' || s.Action === undefined) return [s];
    const list = (Array.isArray(s.Action) ? s.Action : [s.Action]) as string[];
    const left = list.filter((a) => !drop.has(a.toLowerCase()));
    return left.length === 0 ? [] : [{ ...s, Action: left }];
  });
  return { Version: document.Version ?? '2012-10-17', Statement: kept };
}
