/**
 * Monotonic time in integer microseconds.
 *
 * `process.hrtime` reads CLOCK_MONOTONIC, which is shared by every process on one host, so a
 * publisher and a receiver in different processes of the same runner agree on it. Wall-clock time
 * is never used for latency: it can jump (NTP) mid-run.
 */
export interface Clock {
  nowUs(): number;
}

export const monotonicClock: Clock = {
  nowUs: () => Number(process.hrtime.bigint() / 1000n),
};

export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
