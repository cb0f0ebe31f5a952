// Who the operator is in the test bed: its own dummy access key, which the authorizing front
// recognises in the SigV4 Credential of a request, the role and session AWS would show for it,
// the IAM policy it holds (policies/operator-iam-policy.json, placeholders filled), and the
// permissions boundary that policy makes it put on every role.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyPolicy } from '../../../../src/aws/iam/policy-json.ts';
import { repoRoot } from '../../repo-paths.ts';

export const ACCOUNT_ID = '123456789012';
/** The operator's credentials; every other key (the tests' `testing`) is not authorized, as before. */
export const OPERATOR_ACCESS_KEY_ID = 'AKIAOPERATORTESTBED01';
export const OPERATOR_SECRET_ACCESS_KEY = 'operator-testbed-secret';
/** The role the operator would run as in AWS (IRSA), and its session, as AccessDenied messages name it. */
export const OPERATOR_ROLE_NAME = 'bedrock-forge-operator';
export const OPERATOR_SESSION_ARN = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${OPERATOR_ROLE_NAME}/testbed`;

/** The stack's permissions boundary: a managed policy in the emulated account. */
export const BOUNDARY_POLICY_NAME = 'bedrock-forge-boundary';
export const PERMISSIONS_BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT_ID}:policy/${BOUNDARY_POLICY_NAME}`;
/** A realistic boundary: whatever a role's own policies grant, but nothing of IAM, Organizations or the account. */
export const BOUNDARY_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'NothingOfIamOrTheAccount', Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }],
};

export const OPERATOR_POLICY_PATH = join(repoRoot, 'policies', 'operator-iam-policy.json');

export interface PolicyPlaceholders { account: string; region: string; permissionsBoundaryArn: string }

/** A policy document with ${AWS_ACCOUNT_ID}, ${AWS_REGION} and ${PERMISSIONS_BOUNDARY_ARN} filled, as envsubst does for users. */
export function fillPlaceholders(text: string, values: PolicyPlaceholders): string {
  const byName: Record<string, string> = { AWS_ACCOUNT_ID: values.account, AWS_REGION: values.region, PERMISSIONS_BOUNDARY_ARN: values.permissionsBoundaryArn };
  return text.replace(/\$\{(AWS_ACCOUNT_ID|AWS_REGION|PERMISSIONS_BOUNDARY_ARN)\}/g, (_, name: string) => byName[name]!);
}

/**
 * Creates the stack's permissions boundary in moto unless it is there (at start, and after each
 * reset), through the emulator's /moto-api/authorizer/ endpoint, which neither moto's request
 * recorder nor fault rules see.
 */
export async function ensurePermissionsBoundary(motoEndpoint: string): Promise<void> {
  const response = await fetch(new URL('/moto-api/authorizer/managed-policies', motoEndpoint), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: BOUNDARY_POLICY_NAME, path: '/', document: JSON.stringify(BOUNDARY_DOCUMENT), description: 'The test bed\'s permissions boundary for the roles the operator makes' }),
  });
  const text = await response.text();
  if (!response.ok || (JSON.parse(text) as { arn?: string }).arn !== PERMISSIONS_BOUNDARY_ARN) {
    throw new Error(`creating the permissions boundary ${PERMISSIONS_BOUNDARY_ARN} in moto: HTTP ${response.status} ${text}`);
  }
}

/** policies/operator-iam-policy.json as the operator's identity policy in the test bed. */
export function operatorPolicy(values: PolicyPlaceholders): AnyPolicy {
  return JSON.parse(fillPlaceholders(readFileSync(OPERATOR_POLICY_PATH, 'utf8'), values)) as AnyPolicy;
}
