// Every Lambda function of the account, read in bulk with ListFunctions (50 per call): the
// configuration and its RevisionId, which changes with every change to the function's code,
// configuration or tags (the resource-based policy has a revision of its own). The Lambda client
// reads GetFunction (tags, reserved concurrency, image) only when the RevisionId moved since the
// function was last found in sync, and every few resyncs to see reserved concurrency, which no
// listing shows; the resource policy is read each resync.
// AWS's ListFunctions leaves out State and LastUpdateStatus: a listed configuration is for
// comparing only, never for deciding whether Lambda is busy.
import { ListFunctionsCommand, type FunctionConfiguration, type LambdaClient } from '@aws-sdk/client-lambda';
import { AccountSnapshot, type Loaded } from '../account-snapshot.ts';
import { allPages } from '../aws-errors.ts';

export class FunctionSnapshot extends AccountSnapshot<FunctionConfiguration> {
  constructor(lambda: LambdaClient, maxAgeMs: number, now: () => number = Date.now) {
    super('lambda-functions', () => loadFunctions(lambda), maxAgeMs, now);
  }
}

async function loadFunctions(lambda: LambdaClient): Promise<Omit<Loaded<FunctionConfiguration>, 'startedAt'>> {
  const functions = await allPages((Marker) => lambda.send(new ListFunctionsCommand({ MaxItems: 50, Marker }))
    .then((page) => ({ items: page.Functions ?? [], next: page.NextMarker })));
  return { items: new Map(functions.map((fn) => [fn.FunctionName!, fn])) };
}
