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

/**
 * Waits until `now()` (milliseconds, `performance.now()` unless given) reaches `deadline`, to
 * within microseconds: timers fire in whole milliseconds, late or up to a millisecond early, so a
 * timer covers all but the last 1.5 ms and the rest is polled once per event-loop turn
 * (setImmediate) until `now()` itself says the deadline has passed. For the end of a receiver
 * stall. Polling yields between checks, so other work of the process goes on during the wait, but
 * it keeps a core busy: the reference pipeline's injected processing delay, which runs for every
 * event, uses reference/delay-timer.ts instead.
 */
export async function waitUntil(
  deadline: number,
  now: () => number = () => performance.now(),
): Promise<void> {
  const coarse = deadline - now() - 1.5;
  if (coarse >= 1) await sleepMs(Math.floor(coarse));
  while (now() < deadline) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** For `publish --help` and `receive --help`: the two commands measure latency together. */
export const ONE_HOST_NOTE =
  '\nPublisher and receiver must run on one host: latency is receive time minus the intended send\n' +
  "time carried in each tx_hash, both read on that host's monotonic clock. Run on two hosts, the\n" +
  'latencies are meaningless, and samples that fall below 0 or above 1 hour are counted as out of\n' +
  'range (a run with any is invalid).\n';
