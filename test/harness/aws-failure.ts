// What a failed AWS SDK call threw, in the terms a test compares: the SDK names the error after the
// code AWS sent (x-amzn-ErrorType, or <Error><Code> of the query protocol).

export interface Failure {
  name: string;
  message: string;
  status: number | undefined;
}

/** The error `call` failed with; a call that succeeds fails the test. */
export async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('the call succeeded; it was expected to fail');
}
