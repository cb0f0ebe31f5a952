// What every AWS adapter asks of an error: its name, and whether it says the resource is not there.
// The per-service meaning of errors (wait, refuse, retry) is in each service's own file.

export function awsErrorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

/** IAM says NoSuchEntity, Lambda and Bedrock ResourceNotFound. */
const NOT_FOUND = new Set(['NoSuchEntityException', 'NoSuchEntity', 'ResourceNotFoundException']);

export function isNotFound(error: unknown): boolean {
  return NOT_FOUND.has(awsErrorName(error) ?? '');
}

/** The call's result, or undefined when AWS says the resource is not there; any other error is thrown. */
export async function ignoreNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Every item of a paginated listing: `page` fetches one page from a token (undefined: the first). */
export async function allPages<T>(page: (token: string | undefined) => Promise<{ items: T[]; next?: string | undefined }>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const r = await page(token);
    all.push(...r.items);
    token = r.next;
  } while (token);
  return all;
}

/** The call's result; its error as the service's adapter classifies it (terminal, wait, or as it is). */
export async function classified<T>(call: Promise<T>, classify: (error: unknown) => unknown): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw classify(error);
  }
}
