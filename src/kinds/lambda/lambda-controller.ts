// The Lambda controller: the generic loop with the Lambda function client, and the watches that
// bring a Lambda back when something it depends on changes: the IAMRole it runs as (named, or
// generated for it), the ConfigMap its code comes from, and the Agents whose action groups call it
// (inline, or as ActionGroup objects merged into the Agent).
import { LambdaClient } from '@aws-sdk/client-lambda';
import { FunctionSnapshot } from '../../aws/lambda/function-snapshot.ts';
import { ApiException, CoreV1Api, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';
import { ActionGroupKind, AgentKind, IAMRoleKind, LambdaKind, type ActionGroupResource, type AgentResource, type IAMRoleResource, type LambdaResource } from '../../api/kinds.ts';
import { referenceName } from '../../api/common.ts';
import { LAMBDA_CODE_LABEL, type LambdaSpec } from '../../api/lambda.ts';
import { instrument } from '../../aws/sdk-clients.ts';
import { Controller, relatedWatch } from '../../runtime/controller.ts';
import { cached, cachedList, customKind, keyOf, labelledConfigMaps, type KindInformer } from '../../runtime/informers.ts';
import { agentUsesLambda } from '../agent-lambda-link.ts';
import { partLists } from '../agent-parts/part-lists.ts';
import { GeneratedRoles, ownerKeys } from '../generated-roles.ts';
import { controllerBase, ownershipGuard, type OperatorContext } from '../operator-context.ts';
import { LambdaExternalClient, type LambdaLookups } from './lambda-client.ts';
import { namedExecutionRole } from './execution-role.ts';

export async function lambdaController(ctx: OperatorContext) {
  const lambda = instrument(new LambdaClient({ region: ctx.aws.region }), 'lambda');
  const codeConfigMaps = labelledConfigMaps(LAMBDA_CODE_LABEL);
  const core = ctx.kc.makeApiClient(CoreV1Api);
  const [lambdas, roles, configMaps, agents, parts] = await Promise.all([
    ctx.informers.informer(customKind(LambdaKind)),
    ctx.informers.informer(customKind(IAMRoleKind)),
    ctx.informers.informer(codeConfigMaps),
    ctx.informers.informer(customKind(AgentKind)),
    partLists(ctx.informers),
  ]);
  const lookups: LambdaLookups = {
    iamRole: (namespace, name) => cached<IAMRoleResource>(roles, namespace, name),
    configMap: (namespace, name) => cached<V1ConfigMap>(configMaps, namespace, name),
    configMapExists: (namespace, name) => core.readNamespacedConfigMap({ namespace, name }).then(() => true, (error: unknown) => {
      if (error instanceof ApiException && error.code === 404) return false;
      throw error;
    }),
    agents: (namespace) => cachedList<AgentResource>(agents, namespace).map(parts.merged),
  };
  const generated = new GeneratedRoles(ctx.kc, lookups.iamRole);
  // Every function of the account in a few listings, no older than half a resync period (src/aws/lambda/function-snapshot.ts).
  const snapshot = new FunctionSnapshot(lambda, ctx.resyncMs / 2);
  const client = new LambdaExternalClient(lambda, ctx.aws, lookups, generated, ownershipGuard(ctx), ctx.tenancy, ctx.platform, ctx.roleDocuments, snapshot);
  const lambdaArn = (l: LambdaResource) => l.status?.arn;
  return new Controller({
    ...controllerBase(ctx),
    kind: LambdaKind,
    client,
    watches: [
      { type: customKind(IAMRoleKind), keysFor: (role) => [...lambdasWhere(lambdas, role, (s) => namedExecutionRole(s)?.value === role.metadata?.name), ...ownerKeys(role, LambdaKind.kind)] },
      { type: codeConfigMaps, keysFor: (cm) => lambdasWhere(lambdas, cm, (s) => s.code?.configMap?.name === cm.metadata?.name) },
      relatedWatch<AgentResource>(customKind(AgentKind), (agent) => cachedList<LambdaResource>(lambdas, agent.metadata.namespace)
        .filter((l) => agentUsesLambda(parts.merged(agent), l.metadata.name, lambdaArn(l))).map(keyOf)),
      relatedWatch<ActionGroupResource>(customKind(ActionGroupKind), (group) => {
        const executor = group.spec.actionGroupExecutor;
        return cachedList<LambdaResource>(lambdas, group.metadata.namespace)
          .filter((l) => (executor?.lambda !== undefined && referenceName(executor.lambda) === l.metadata.name) || (executor?.lambdaArn !== undefined && executor.lambdaArn === lambdaArn(l))).map(keyOf);
      }),
    ],
  });
}

/** Keys of the Lambdas in the namespace of `related` whose spec matches. */
function lambdasWhere(lambdas: KindInformer, related: KubernetesObject, match: (spec: LambdaSpec) => boolean): string[] {
  return cachedList<LambdaResource>(lambdas, related.metadata?.namespace).filter((l) => match(l.spec)).map(keyOf);
}
