// The Guardrail controller: the generic loop with the Guardrail's external client. A guardrail
// names nothing in Kubernetes, so it watches nothing else; the Agents that name a Guardrail watch it.
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { GuardrailKind } from '../../api/kinds.ts';
import { instrument } from '../../aws/sdk-clients.ts';
import { Controller } from '../../runtime/controller.ts';
import { controllerBase, ownershipGuard, type OperatorContext } from '../operator-context.ts';
import { GuardrailExternalClient } from './guardrail-client.ts';

export function guardrailController(ctx: OperatorContext) {
  const bedrock = instrument(new BedrockClient({ region: ctx.aws.region }), 'bedrock');
  const client = new GuardrailExternalClient(bedrock, ownershipGuard(ctx), ctx.platform);
  return new Controller({ ...controllerBase(ctx), kind: GuardrailKind, client, watches: [] });
}
