// Argo CD's view of the operator's resources (argocd/health.lua): Healthy only when Ready for the
// current generation, Progressing while waiting, Degraded with the operator's message otherwise.
import { describe, expect, it } from 'vitest';
import { argoHealth } from '../harness/argocd-health.ts';

type Condition = { type: string; status: string; reason: string; message?: string; observedGeneration: number };

function resource(generation: number, conditions?: Condition[]) {
  return {
    apiVersion: 'bedrockforge.io/v1alpha1', kind: 'Agent', metadata: { name: 'order-assistant', namespace: 'default', generation },
    spec: {}, ...(conditions ? { status: { observedGeneration: 1, conditions } } : {}),
  };
}

const synced = (status: string, reason: string, message?: string, observedGeneration = 1): Condition => ({ type: 'Synced', status, reason, ...(message ? { message } : {}), observedGeneration });
const ready = (status: string, reason: string, message?: string, observedGeneration = 1): Condition => ({ type: 'Ready', status, reason, ...(message ? { message } : {}), observedGeneration });

describe('Argo CD health check', () => {
  it('is Progressing before the operator wrote any condition', async () => {
    expect(await argoHealth(resource(1))).toEqual({ status: 'Progressing', message: 'Waiting for the operator to reconcile this resource' });
  });

  it('is Healthy when Ready for the current generation', async () => {
    expect(await argoHealth(resource(1, [synced('True', 'ReconcileSuccess'), ready('True', 'Available')]))).toEqual({ status: 'Healthy', message: 'Ready' });
  });

  it('is Progressing after a spec change the operator has not reconciled yet, even if Ready before', async () => {
    expect((await argoHealth(resource(2, [synced('True', 'ReconcileSuccess'), ready('True', 'Available')]))).status).toBe('Progressing');
  });

  it('is Progressing while the operator waits for a role, a Lambda or a busy agent', async () => {
    for (const reason of ['WaitingForRole', 'WaitingForLambda', 'WaitingForRolePropagation', 'AgentBusy', 'UpdateInProgress']) {
      const health = await argoHealth(resource(1, [synced('False', reason, 'IAMRole default/r (spec.iamRole) does not exist yet'), ready('False', reason)]));
      expect(health).toEqual({ status: 'Progressing', message: `${reason}: IAMRole default/r (spec.iamRole) does not exist yet` });
    }
    expect(await argoHealth(resource(1, [synced('True', 'ReconcileSuccess'), ready('False', 'Pending', 'still differs: agent preparing')])))
      .toEqual({ status: 'Progressing', message: 'Pending: still differs: agent preparing' });
  });

  it('is Degraded with the operator\'s message when AWS refused the spec or the resource is not the operator\'s', async () => {
    for (const [reason, message] of [
      ['NoSuchEntity', 'IAM refused the change: Policy arn:aws:iam::aws:policy/service-role/AmazonBedrockAgentResourcePolicy does not exist or is not attachable.'],
      ['AlreadyExists', 'IAM role r already exists and was not created by this operator; it is left untouched.'],
      ['ReconcileError', 'Throttling: Rate exceeded (retrying with backoff)'],
    ]) {
      expect(await argoHealth(resource(1, [synced('False', reason!, message), ready('False', reason!)]))).toEqual({ status: 'Degraded', message: `${reason}: ${message}` });
    }
  });

  it('is Degraded when a later change fails on a resource that stays usable', async () => {
    const health = await argoHealth(resource(2, [synced('False', 'Validation', 'Bedrock refused updating the agent: …', 2), ready('True', 'Available', undefined, 1)]));
    expect(health.status).toBe('Degraded');
  });
});
