// Reading the operator's custom resources and their Events from a test, as a user would with
// kubectl get / describe: an object's conditions, waiting for one, and the Events about it.
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { Condition } from '../../src/api/common.ts';
import type { Stack } from './stack.ts';
import { waitFor } from './wait.ts';

export interface TestResource {
  metadata: { name: string; namespace: string; resourceVersion: string; uid: string; generation?: number; finalizers?: string[]; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: Condition[] };
}

export interface KubeEvent {
  metadata: { name?: string };
  type?: string;
  reason?: string;
  message?: string;
}

export type Plural = 'iamroles' | 'lambdas' | 'agents' | 'flows' | 'actiongroups' | 'agentknowledgebaseassociations' | 'prompts' | 'guardrails';

export class Resources {
  readonly objects: CustomObjectsApi;
  readonly core: CoreV1Api;

  constructor(stack: Stack) {
    const kc = new KubeConfig();
    kc.loadFromFile(stack.kubeconfigPath);
    this.objects = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  get(plural: Plural, name: string, namespace = 'default'): Promise<TestResource> {
    return this.objects.getNamespacedCustomObject({ group: 'bedrockforge.io', version: 'v1alpha1', plural, namespace, name }) as Promise<TestResource>;
  }

  /** Waits until the object's condition `type` has `status` (and `reason`, when given). */
  waitForCondition(plural: Plural, name: string, type: string, status: string, options: { namespace?: string; reason?: string; timeoutMs?: number } = {}): Promise<TestResource> {
    const { namespace = 'default', reason, timeoutMs = 30_000 } = options;
    return waitFor(`${plural} ${namespace}/${name} ${type}=${status}${reason ? ` (${reason})` : ''}`, async () => {
      const object = await this.get(plural, name, namespace);
      const c = condition(object, type);
      return c?.status === status && (!reason || c.reason === reason) ? object : undefined;
    }, { timeoutMs });
  }

  /** Waits until the object is Ready for the generation it has (its current spec is met). */
  waitForReadyGeneration(plural: Plural, name: string, namespace = 'default', timeoutMs = 60_000): Promise<TestResource> {
    return waitFor(`${plural} ${namespace}/${name} Ready for its generation`, async () => {
      const object = await this.get(plural, name, namespace);
      const ready = condition(object, 'Ready');
      return ready?.status === 'True' && ready.observedGeneration === object.metadata.generation ? object : undefined;
    }, { timeoutMs });
  }

  async events(name: string, namespace = 'default'): Promise<KubeEvent[]> {
    return (await this.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` })).items as KubeEvent[];
  }

  /** Waits for an Event about `name` that was not among `before` and matches. */
  waitForEvent(name: string, before: KubeEvent[], match: (e: KubeEvent) => boolean, namespace = 'default', timeoutMs = 10_000): Promise<KubeEvent> {
    const seen = new Set(before.map((e) => e.metadata.name));
    return waitFor(`an Event about ${name}`, async () =>
      (await this.events(name, namespace)).find((e) => !seen.has(e.metadata.name) && match(e)), { timeoutMs });
  }
}

export function condition(object: TestResource, type: string): Condition | undefined {
  return object.status?.conditions?.find((c) => c.type === type);
}
