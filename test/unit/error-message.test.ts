// The message a condition or log line carries for a failure: the apiserver's own words for a
// Kubernetes API error, not the whole HTTP response client-node puts in its message.
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { errorMessage } from '../../src/runtime/errors.ts';

describe('errorMessage', () => {
  it('gives the apiserver\'s message and the HTTP status of a Kubernetes API error', () => {
    const body = JSON.stringify({ kind: 'Status', status: 'Failure', message: 'events is forbidden: User "system:serviceaccount:x:y" cannot create resource "events"', code: 403 });
    const error = new ApiException(403, `HTTP-Code: 403\nMessage: Unknown API Status Code!\nBody: ${body}\nHeaders: {"audit-id":"1"}`, body, { 'audit-id': '1' });
    expect(errorMessage(error)).toBe('Kubernetes API (HTTP 403): events is forbidden: User "system:serviceaccount:x:y" cannot create resource "events"');
  });

  it('says so when the apiserver gave no message', () => {
    expect(errorMessage(new ApiException(502, 'HTTP-Code: 502', 'Bad Gateway', {}))).toBe('Kubernetes API (HTTP 502): no message');
  });

  it('gives any other error\'s message', () => {
    expect(errorMessage(new Error('Rate exceeded'))).toBe('Rate exceeded');
    expect(errorMessage('plain')).toBe('plain');
  });
});
