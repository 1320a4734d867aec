import { seededRandom } from '../random.js';

/**
 * Injected failures, so retry behaviour of the SUT can be tested: a fraction of webhook requests is
 * answered with an error status instead of being accepted, and every reply can be held back.
 */
export interface ReceiverFaults {
  /** Fraction of webhook requests, 0 to 1, answered with `failureStatus`. */
  failureRate: number;
  /** Default 503: EthHook retries 5xx and 429, and drops other 4xx. */
  failureStatus: number;
  /** Every reply to a webhook request waits this long (after receive time was taken). */
  delayMs: number;
  /** Seed of the failure draw: the same seed fails the same request numbers. Default 1. */
  seed?: number;
}

export const DEFAULT_FAULTS: Readonly<Required<ReceiverFaults>> = {
  failureRate: 0,
  failureStatus: 503,
  delayMs: 0,
  seed: 1,
};

export function validateFaults(faults: Partial<ReceiverFaults>): void {
  const { failureRate, failureStatus, delayMs, seed } = faults;
  if (failureRate !== undefined && !(failureRate >= 0 && failureRate <= 1)) {
    throw new RangeError(`failureRate must be a fraction from 0 to 1, got ${failureRate}`);
  }
  if (
    failureStatus !== undefined &&
    !(Number.isInteger(failureStatus) && failureStatus >= 400 && failureStatus <= 599)
  ) {
    throw new RangeError(
      `failureStatus must be an HTTP error status 400-599, got ${failureStatus}`,
    );
  }
  if (delayMs !== undefined && !(Number.isFinite(delayMs) && delayMs >= 0)) {
    throw new RangeError(`delayMs must be 0 or more, got ${delayMs}`);
  }
  if (seed !== undefined && !Number.isInteger(seed)) {
    throw new RangeError(`seed must be an integer, got ${seed}`);
  }
}

/** Decides, request by request, which ones fail; deterministic for a given seed. */
export class FaultInjector {
  private settings: Required<ReceiverFaults> = { ...DEFAULT_FAULTS };
  /** The failure draw: uniform [0, 1), restarted by a seed. */
  private next = seededRandom(DEFAULT_FAULTS.seed);

  constructor(faults: Partial<ReceiverFaults> = {}) {
    this.update(faults);
  }

  /** Merges into the current settings; a given seed restarts the failure sequence. */
  update(faults: Partial<ReceiverFaults>): void {
    validateFaults(faults);
    const defined = Object.fromEntries(
      Object.entries(faults).filter(([, value]) => value !== undefined),
    ) as Partial<ReceiverFaults>;
    this.settings = { ...this.settings, ...defined };
    if (faults.seed !== undefined) this.next = seededRandom(faults.seed);
  }

  get current(): Readonly<Required<ReceiverFaults>> {
    return this.settings;
  }

  get delayMs(): number {
    return this.settings.delayMs;
  }

  get failureStatus(): number {
    return this.settings.failureStatus;
  }

  /** Draws for one request. The draw happens even at rate 0, so the sequence depends on the seed only. */
  shouldFail(): boolean {
    return this.next() < this.settings.failureRate;
  }
}
