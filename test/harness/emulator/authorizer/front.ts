// The test bed's authorizing front: an HTTP server in front of moto that forwards every request
// unchanged, except those signed with the operator's access key, which it first authorizes against
// the operator's IAM policy with the project's evaluator (src/iam/evaluator), answering a refusal
// as AWS would. Run by the stack (authorizer.ts) as its own process:
//
//   node front.ts   with AUTHORIZER_MOTO_URL, AUTHORIZER_BOTOCORE_DATA, AUTHORIZER_REGION
//                   (and optionally AUTHORIZER_POLICY_FILE)
//
// It prints AUTHORIZER_PORT=<port> once it listens on 127.0.0.1, one JSON line per decision, and
// exits when its stdin closes. Admin endpoints, on its own address:
//   GET /authorizer/policy               the operator's identity policy now in force
//   POST /authorizer/policy              replace it with the JSON document of the body (placeholders filled)
//   DELETE /authorizer/policy            restore policies/operator-iam-policy.json
//   GET /authorizer/decisions?after=N    the decisions numbered above N (the last 2000 are kept)
// POST /moto-api/reset (forgetting every AWS resource) also restores the policy and creates the
// stack's permissions boundary again.
import { readFileSync } from 'node:fs';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { authorize } from '../../../../src/iam/evaluator/authorize.ts';
import type { AnyPolicy } from '../../../../src/aws/iam/policy-json.ts';
import type { Decision } from '../../../../src/iam/evaluator/types.ts';
import { checksFor, UnmappedCall, type AuthorizationEnv, type Check, type RoleInfo } from './access-requests.ts';
import { accessDenied, deniedMessage, s3CodeDenied, type Answer } from './denials.ts';
import {
  ACCOUNT_ID, ensurePermissionsBoundary, fillPlaceholders, OPERATOR_ACCESS_KEY_ID, OPERATOR_POLICY_PATH, OPERATOR_ROLE_NAME, OPERATOR_SESSION_ARN, PERMISSIONS_BOUNDARY_ARN,
} from './operator-identity.ts';
import { ServiceModels, type HttpRequest, type MatchedOperation, type ServiceModel } from './service-models.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const motoUrl = new URL(env('AUTHORIZER_MOTO_URL'));
const region = env('AUTHORIZER_REGION');
const boundaryArn = PERMISSIONS_BOUNDARY_ARN;
const policyFile = process.env.AUTHORIZER_POLICY_FILE || OPERATOR_POLICY_PATH;
const models = new ServiceModels(env('AUTHORIZER_BOTOCORE_DATA'));
const placeholders = { account: ACCOUNT_ID, region, permissionsBoundaryArn: boundaryArn };
const defaultPolicy = (): AnyPolicy => JSON.parse(fillPlaceholders(readFileSync(policyFile, 'utf8'), placeholders)) as AnyPolicy;
let policy = defaultPolicy();
const POLICY_NAME = `role ${OPERATOR_ROLE_NAME}, policy operator-iam-policy.json`;

const upstream = new Agent({ keepAlive: true });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect']);

interface DecisionRecord {
  n: number;
  time: string;
  operation: string;
  action: string;
  resource: string;
  decision: Decision['decision'] | 'Unmapped';
  detail?: unknown;
  context?: Record<string, unknown>;
  /** Statements of the policy the evaluator could not evaluate. */
  unsupported?: string[];
}
const decisions: DecisionRecord[] = [];
let decisionCount = 0;

function record(entry: Omit<DecisionRecord, 'n' | 'time'>): void {
  const full = { n: ++decisionCount, time: new Date().toISOString(), ...entry };
  decisions.push(full);
  if (decisions.length > 2000) decisions.shift();
  process.stdout.write(`${JSON.stringify(full)}\n`);
}

/** The access key of a SigV4-signed request (header or presigned query), if any. */
function signer(req: IncomingMessage): { accessKey: string; service: string; region: string } | undefined {
  const credential = /Credential=([^,\s]+)/.exec(String(req.headers.authorization ?? ''))?.[1]
    ?? new URL(req.url ?? '/', 'http://front').searchParams.get('X-Amz-Credential') ?? undefined;
  const [accessKey, , scopeRegion, service] = credential?.split('/') ?? [];
  return accessKey && service ? { accessKey, service, region: scopeRegion ?? region } : undefined;
}

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function forwardHeaders(req: IncomingMessage, bodyLength?: number): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (bodyLength !== undefined && (name === 'transfer-encoding' || name === 'content-length')) continue;
    headers[name] = value;
  }
  if (bodyLength !== undefined && (bodyLength > 0 || req.method !== 'GET')) headers['content-length'] = String(bodyLength);
  return headers;
}

function responseHeaders(response: IncomingMessage, drop: string[] = []): string[] {
  const out: string[] = [];
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    const name = response.rawHeaders[i]!;
    if (HOP_BY_HOP.has(name.toLowerCase()) || drop.includes(name.toLowerCase())) continue;
    out.push(name, response.rawHeaders[i + 1]!);
  }
  return out;
}

/** Sends the request on to moto; `body` when it was read already, else the client's stream is piped. */
function toMoto(req: IncomingMessage, res: ServerResponse, body?: Buffer): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({
      host: motoUrl.hostname, port: motoUrl.port, method: req.method, path: req.url, agent: upstream,
      headers: forwardHeaders(req, body?.length),
    }, resolve);
    outgoing.on('error', reject);
    // A client that gives up (an AbortSignal, a deadline) gives up on moto too: a request moto holds
    // (a hang fault) is released.
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    if (body) outgoing.end(body);
    else req.pipe(outgoing);
  });
}

/** Streams moto's answer back unchanged. */
function relay(response: IncomingMessage, res: ServerResponse): void {
  res.writeHead(response.statusCode ?? 502, response.statusMessage, responseHeaders(response));
  response.pipe(res);
}

function send(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) });
  res.end(answer.body);
}

async function motoJson(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(new URL(path, motoUrl), {
    method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, json: await response.json() as unknown };
}

const authorizationEnv: Omit<AuthorizationEnv, 'region'> = {
  principal: { type: 'AWS', arn: `arn:aws:iam::${ACCOUNT_ID}:role/${OPERATOR_ROLE_NAME}`, account: ACCOUNT_ID },
  account: ACCOUNT_ID,
  async role(name: string): Promise<RoleInfo | undefined> {
    const { status, json } = await motoJson('GET', `/moto-api/authorizer/roles/${encodeURIComponent(name)}`);
    if (status === 404) return undefined;
    if (status !== 200) throw new Error(`looking up role ${name} in moto: HTTP ${status}`);
    return json as RoleInfo;
  },
};

function unmappedAnswer(service: ServiceModel | undefined, message: string): Answer {
  const text = `The test bed's authorizer cannot authorize this request, so it refuses it: ${message}`;
  return service ? accessDenied(service, text) : { status: 403, headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' }, body: JSON.stringify({ Message: text, message: text }) };
}

/** Authorizes one request of the operator; forwards it, or answers the refusal. */
async function authorizeAndForward(req: IncomingMessage, res: ServerResponse, signing: { service: string; region: string }): Promise<void> {
  const body = await readBody(req);
  const http: HttpRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
  const matched = models.match(signing.service, http);
  const operationName = (m?: MatchedOperation) => (m ? `${m.service.api}:${m.operation}` : `${signing.service}:${http.method} ${new URL(http.url, 'http://front').pathname}`);
  if (!matched) {
    record({ operation: operationName(), action: '?', resource: '?', decision: 'Unmapped', detail: 'no operation of the service models matches' });
    send(res, unmappedAnswer(models.services(signing.service)[0], `no operation of ${signing.service} matches ${http.method} ${http.url}`));
    return;
  }
  let checks: Check[];
  try {
    checks = await checksFor(matched, { ...authorizationEnv, region: signing.region });
  } catch (error) {
    if (!(error instanceof UnmappedCall)) throw error;
    record({ operation: operationName(matched), action: '?', resource: '?', decision: 'Unmapped', detail: error.message });
    send(res, unmappedAnswer(matched.service, error.message));
    return;
  }
  if (checks.length === 0) record({ operation: operationName(matched), action: '-', resource: '-', decision: 'Allow', detail: 'the call needs no permission' });
  let omitTags: string | undefined;
  for (const check of checks) {
    const decision = authorize(check.request, { identity: [{ name: POLICY_NAME, document: policy }] });
    record({
      operation: operationName(matched), action: check.request.action, resource: check.request.resource, decision: decision.decision,
      detail: decision.decision === 'Allow' ? decision.allowedBy : decision.decision === 'ExplicitDeny' ? decision.deniedBy : decision.missing,
      context: check.request.context,
      ...(decision.unsupported ? { unsupported: decision.unsupported } : {}),
    });
    if (decision.decision === 'Allow') continue;
    const message = deniedMessage(OPERATOR_SESSION_ARN, check.request, decision);
    if (check.onDeny === 'omit-tags') {
      omitTags = message;
      continue;
    }
    send(res, check.onDeny === 's3-code' ? s3CodeDenied(check.request) : accessDenied(matched.service, message));
    return;
  }
  const response = await toMoto(req, res, body);
  if (omitTags === undefined || response.statusCode !== 200) {
    relay(response, res);
    return;
  }
  // GetFunction: Lambda returns the function's tags only to a caller allowed lambda:ListTags.
  const answer = JSON.parse((await readBody(response)).toString('utf8')) as Record<string, unknown>;
  delete answer.Tags;
  answer.TagsError = { ErrorCode: 'AccessDeniedException', Message: omitTags };
  const text = JSON.stringify(answer);
  res.writeHead(200, response.statusMessage, [...responseHeaders(response, ['content-length', 'transfer-encoding']), 'content-length', String(Buffer.byteLength(text))]);
  res.end(text);
}

async function admin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const json = (status: number, value: unknown) => send(res, { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
  if (url.pathname === '/authorizer/policy') {
    if (req.method === 'GET') return json(200, policy);
    if (req.method === 'DELETE') {
      policy = defaultPolicy();
      return json(200, policy);
    }
    if (req.method === 'POST' || req.method === 'PUT') {
      const text = (await readBody(req)).toString('utf8');
      try {
        const document = JSON.parse(fillPlaceholders(text, placeholders)) as AnyPolicy;
        if (!document || typeof document !== 'object' || !(document.Statement ?? document.statement)) throw new Error('a policy document has a Statement');
        policy = document;
      } catch (error) {
        return json(400, { message: `not a policy document: ${(error as Error).message}` });
      }
      return json(200, policy);
    }
  }
  if (url.pathname === '/authorizer/decisions' && req.method === 'GET') {
    const after = Number(url.searchParams.get('after') ?? 0);
    return json(200, { decisions: decisions.filter((d) => d.n > after) });
  }
  return json(404, { message: `no such endpoint: ${req.method} ${url.pathname}` });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://front');
  if (url.pathname.startsWith('/authorizer/')) return admin(req, res, url);
  const signing = signer(req);
  if (signing?.accessKey === OPERATOR_ACCESS_KEY_ID) return authorizeAndForward(req, res, signing);
  if (url.pathname === '/moto-api/reset' && req.method === 'POST') {
    // Everything is forgotten: the account gets its boundary again, and the operator its policy.
    const response = await toMoto(req, res);
    const body = await readBody(response);
    if (response.statusCode === 200) {
      await ensurePermissionsBoundary(motoUrl.href);
      policy = defaultPolicy();
    }
    res.writeHead(response.statusCode ?? 502, response.statusMessage, [...responseHeaders(response, ['content-length', 'transfer-encoding']), 'content-length', String(body.length)]);
    res.end(body);
    return;
  }
  relay(await toMoto(req, res), res);
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), error: String((error as Error).stack ?? error), url: req.url })}\n`);
    if (!res.headersSent) send(res, { status: 502, headers: { 'content-type': 'text/plain' }, body: `authorizing front: ${String(error)}` });
    else res.destroy();
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 0;
server.requestTimeout = 0;

await ensurePermissionsBoundary(motoUrl.href);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`AUTHORIZER_PORT=${typeof address === 'object' && address ? address.port : ''}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
// Never outlive the process that started this one: exit when stdin closes.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
