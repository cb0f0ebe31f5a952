// What AWS answers when it refuses a call, in the wire format of the call's API, so that the AWS
// SDK parses it as it would AWS's own: the query protocol (IAM, STS) as <ErrorResponse> XML, the
// REST-JSON APIs (Lambda, bedrock-agent) as JSON with the x-amzn-ErrorType header.
import { randomUUID } from 'node:crypto';
import type { AccessRequest, Decision } from '../../../../src/iam/evaluator/types.ts';
import type { ServiceModel } from './service-models.ts';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const POLICY_KIND_WORDS = { identity: 'identity-based policy', boundary: 'permissions boundary', resource: 'resource-based policy' } as const;

/** AWS's message for a refused authorization of `caller` (the session ARN), e.g. `User: … is not authorized to perform: iam:CreateRole on resource: arn:… because no identity-based policy allows the iam:CreateRole action`. */
export function deniedMessage(caller: string, request: AccessRequest, decision: Exclude<Decision, { decision: 'Allow' }>): string {
  const head = `User: ${caller} is not authorized to perform: ${request.action} on resource: ${request.resource}`;
  if (decision.decision === 'ExplicitDeny') {
    return `${head} with an explicit deny in an ${POLICY_KIND_WORDS[decision.deniedBy[0]?.kind ?? 'identity']}`;
  }
  return `${head} because no ${POLICY_KIND_WORDS[decision.missing[0] ?? 'identity']} allows the ${request.action} action`;
}

/** HTTP 403 AccessDenied (query APIs) or AccessDeniedException (JSON APIs) with `message`. */
export function accessDenied(service: ServiceModel, message: string): Answer {
  const requestId = randomUUID();
  if (service.protocol === 'query' || service.protocol === 'rest-xml') {
    const namespace = service.model.metadata.xmlNamespace;
    const xmlns = namespace ? ` xmlns="${namespace}"` : '';
    const body = service.protocol === 'query'
      ? `<ErrorResponse${xmlns}><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId></Error>`;
    return { status: 403, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
  }
  // Lambda writes {"Type":"User","Message":…}; APIs whose model declares AccessDeniedException use its member.
  const member = service.accessDeniedMessageMember;
  const body = member ? { [member]: message } : { Type: 'User', Message: message };
  return { status: 403, headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException', 'x-amzn-requestid': requestId }, body: JSON.stringify(body) };
}

/**
 * What Lambda answers when it cannot read the caller's S3 object for a function's code: it reads
 * the object with the caller's permissions and reports S3's refusal as invalid input.
 */
export function s3CodeDenied(request: AccessRequest): Answer {
  const object = request.resource.replace(/^arn:aws:s3:::/, '');
  const action = request.action.replace(/^s3:/, '');
  const message = `Your access has been denied by S3, please make sure your request credentials have permission to ${action} for ${object}. S3 Error Code: AccessDenied. S3 Error Message: Access Denied`;
  const requestId = randomUUID();
  return {
    status: 400,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'InvalidParameterValueException', 'x-amzn-requestid': requestId },
    body: JSON.stringify({ Type: 'User', Message: message }),
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
