// What the informers' caches keep of an object: everything the operator reads, without the
// managedFields and kubectl's last-applied copy that would double what 10,000 objects cost.
import { describe, expect, it } from 'vitest';
import { trimmed } from '../../src/runtime/informers.ts';

describe('trimmed', () => {
  it('drops managedFields and the last-applied annotation, and keeps every other field', () => {
    const obj = {
      apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole',
      metadata: {
        name: 'r', namespace: 'default', uid: 'u', generation: 2, resourceVersion: '7', finalizers: ['bedrockforge.io/finalizer'],
        labels: { a: 'b' }, ownerReferences: [{ apiVersion: 'v', kind: 'Agent', name: 'x', uid: 'y' }],
        annotations: { 'bedrockforge.io/deletion-policy': 'retain', 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"copy"}' },
        managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
      },
      spec: { roleName: 'r' },
      status: { conditions: [] },
    };
    expect(trimmed(obj)).toEqual({
      apiVersion: 'bedrockforge.io/v1alpha1', kind: 'IAMRole',
      metadata: {
        name: 'r', namespace: 'default', uid: 'u', generation: 2, resourceVersion: '7', finalizers: ['bedrockforge.io/finalizer'],
        labels: { a: 'b' }, ownerReferences: [{ apiVersion: 'v', kind: 'Agent', name: 'x', uid: 'y' }],
        annotations: { 'bedrockforge.io/deletion-policy': 'retain' },
      },
      spec: { roleName: 'r' },
      status: { conditions: [] },
    });
  });

  it('leaves an object without metadata or annotations as it is', () => {
    expect(trimmed({ metadata: { name: 'a' } })).toEqual({ metadata: { name: 'a' } });
  });
});
