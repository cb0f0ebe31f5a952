// The Lambda controller: the generic loop with the Lambda function client, and the watches that
// bring a Lambda back when something it depends on changes: the IAMRole it runs as (named, or
// generated for it), the ConfigMap its code comes from, and the Agents whose action groups call it.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ApiException, CoreV1Api, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';
import { AgentKind, IAMRoleKind, LambdaKind } from '../../api/kinds.ts';
import { LAMBDA_CODE_LABEL, type LambdaSpec } from '../../api/lambda.ts';
import { Controller } from '../../runtime/controller.ts';
import { cached, customKind, keyOf, labelledConfigMaps, type KindInformer } from '../../runtime/informers.ts';
import type { AnyResource } from '../../runtime/kube-writes.ts';
import { countAwsCalls } from '../../runtime/metrics.ts';
import { GeneratedRoles, ownerKeys } from '../generated-roles.ts';
import { controllerBase, type OperatorContext } from '../operator-context.ts';
import { agentUsesLambda, LambdaFunctionClient } from './lambda-client.ts';

export async function lambdaController(ctx: OperatorContext): Promise<Controller> {
  const lambda = new LambdaClient({ region: ctx.aws.region });
  countAwsCalls(lambda, 'lambda');
  const codeConfigMaps = labelledConfigMaps(LAMBDA_CODE_LABEL);
  const core = ctx.kc.makeApiClient(CoreV1Api);
  const [lambdas, roles, configMaps, agents] = await Promise.all([
    ctx.informers.informer(customKind(LambdaKind)),
    ctx.informers.informer(customKind(IAMRoleKind)),
    ctx.informers.informer(codeConfigMaps),
    ctx.informers.informer(customKind(AgentKind)),
  ]);
  const lookups = {
    iamRole: (namespace: string, name: string) => cached<AnyResource>(roles, namespace, name),
    configMap: (namespace: string, name: string) => cached<V1ConfigMap>(configMaps, namespace, name),
    configMapExists: (namespace: string, name: string) => core.readNamespacedConfigMap({ namespace, name }).then(() => true, (error: unknown) => {
      if (error instanceof ApiException && error.code === 404) return false;
      throw error;
    }),
    agents: (namespace: string) => agents.list(namespace) as AnyResource[],
  };
  const generated = new GeneratedRoles(ctx.kc, lookups.iamRole);
  const client = new LambdaFunctionClient(lambda, ctx.aws, ctx.cluster, lookups, generated, ctx.tenancy);
  return new Controller({
    ...controllerBase(ctx),
    kind: LambdaKind,
    client,
    watches: [
      { type: customKind(IAMRoleKind), keysFor: (role) => [...lambdasWhere(lambdas, role, (s) => s.iamRole === role.metadata?.name), ...ownerKeys(role, LambdaKind.kind)] },
      { type: codeConfigMaps, keysFor: (cm) => lambdasWhere(lambdas, cm, (s) => s.code?.configMap?.name === cm.metadata?.name) },
      { type: customKind(AgentKind), keysFor: (agent) => (lambdas.list(agent.metadata?.namespace) as AnyResource[]).filter((l) => agentUsesLambda(agent as AnyResource, l.metadata.name, (l.status as { arn?: string } | undefined)?.arn)).map(keyOf) },
    ],
  });
}

/** Keys of the Lambdas in the namespace of `related` whose spec matches. */
function lambdasWhere(lambdas: KindInformer, related: KubernetesObject, match: (spec: LambdaSpec) => boolean): string[] {
  return (lambdas.list(related.metadata?.namespace) as AnyResource[]).filter((l) => match(l.spec as LambdaSpec)).map(keyOf);
}
