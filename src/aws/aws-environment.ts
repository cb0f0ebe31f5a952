// The AWS account and region the operator works in: ARNs the operator writes into policies
// (log groups, agent ARNs, confused-deputy conditions) are built from them. The account is asked
// of STS once, on first use.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { instrument } from './sdk-clients.ts';

/** Where ARNs point: partition, region and account. */
export interface AwsScope {
  partition: string;
  region: string;
  account: string;
}

export class AwsEnvironment {
  readonly region: string;
  readonly partition: string;
  #account?: Promise<string>;

  constructor(region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1') {
    this.region = region;
    this.partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  }

  /** The account of the operator's credentials (sts:GetCallerIdentity needs no permission). */
  account(): Promise<string> {
    this.#account ??= instrument(new STSClient({ region: this.region }), 'sts').send(new GetCallerIdentityCommand({})).then((r) => r.Account!)
      .catch((error: unknown) => {
        this.#account = undefined;
        throw error;
      });
    return this.#account;
  }
}
