/**
 * Why a run stopped before it measured anything worth judging, by whose fault: the callers map
 * each kind to its own exit code (src/check/exit.ts), so a script can tell "Redis is down" from
 * "the SUT never became ready" from a regression.
 */

/** Redis or PostgreSQL did not answer, or went away during the run. */
export class ServiceUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ServiceUnavailableError';
  }
}

/** The SUT did not start, never became ready, died, or delivered nothing in the warm-up. */
export class SutFailedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SutFailedError';
  }
}

/** Runs `work`; any error it throws becomes `Kind` with the same message (and it as the cause). */
export async function failingAs<T>(
  Kind: new (message: string, options?: ErrorOptions) => Error,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ServiceUnavailableError || error instanceof SutFailedError) throw error;
    throw new Kind(error instanceof Error ? error.message : String(error), { cause: error });
  }
}
