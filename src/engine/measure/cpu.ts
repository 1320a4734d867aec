import os from 'node:os';
import type { HarnessCpu } from './result.js';

/**
 * The harness's own CPU time during a trial: on a 2-core runner the publisher and the receiver
 * share the CPU with the system under test, so what they take is taken from what they measure.
 *
 * Both sides run in this one Node process, on its one JavaScript thread (the socket reads, the
 * HTTP parsing, the HMAC check and the XADD encoding all happen there), so no per-thread reading
 * can split them; the figure is the process as a whole: publisher, receiver and the run's own
 * bookkeeping, user plus system time from process.cpuUsage(). Where the SUT runs in the same
 * process (the reference pipeline in tests), it is counted too.
 *
 * Per 1,000 events the figure is far above the per-event work at the rates a check runs: the
 * publisher waits for each slot by yielding to I/O in a loop for its last 300 µs (SPIN_WINDOW_US
 * in publisher.ts, so the schedule lag stays far below a timer's millisecond). Measured alone on
 * a busy 2-core machine: 0.11-0.15 cores at 500 events/s (215-315 ms per 1,000 events), 0.38 at
 * 5,000/s (78 ms), against about 3 ms per 1,000 at rate 0; the receiver adds about 25 µs per
 * webhook. The share of the cores is the figure to read; the one per 1,000 events compares runs
 * of one rate.
 */

/** Where a trial reads the harness's CPU time and the runner's cores; tests swap it. */
export interface CpuSource {
  /** User plus system CPU time of the harness so far, µs. */
  readUs(): number;
  cores: number;
}

export const processCpu: CpuSource = {
  readUs: () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  },
  cores: os.availableParallelism(),
};

/**
 * Above this many cores kept busy by the harness, a run says so. On the 2-core runner a GitHub
 * job gets, the SUT (processor, delivery workers, Redis, Postgres) has what is left: past half a
 * core, a quarter of the machine is the harness's and the SUT's latency includes waiting for it.
 * A note, not an invalid trial: the harness's share grows with the rate the user asked for, and
 * the same load on the same runner takes the same share on both sides of a comparison.
 */
export const MAX_HARNESS_CORES = 0.5;

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/** The trial's figure from two readings `wallUs` apart, over `events` published events. */
export function harnessCpuFigures(input: {
  cpuUs: number;
  wallUs: number;
  cores: number;
  events: number;
}): HarnessCpu {
  const cpuUs = Math.max(0, input.cpuUs);
  return {
    cpuMs: round3(cpuUs / 1000),
    wallMs: round3(input.wallUs / 1000),
    cores: input.cores,
    cpuMsPerThousandEvents: input.events > 0 ? round3(cpuUs / input.events) : null,
    shareOfCores: input.wallUs > 0 ? Math.min(1, round3(cpuUs / (input.wallUs * input.cores))) : 0,
  };
}

/** Cores the harness kept busy on average: 0.4 = 40% of one core. */
export const harnessCores = (figure: HarnessCpu): number => figure.shareOfCores * figure.cores;

/**
 * The line a measured trial logs, e.g. "Harness CPU: 41.2 ms per 1,000 events, 0.21 of 2 cores
 * busy", and past MAX_HARNESS_CORES why that matters. A note in the log, not a warning: tests run
 * the reference SUT inside the harness's process, where it would always fire.
 */
export function harnessCpuText(figure: HarnessCpu): string {
  const cores = harnessCores(figure);
  const perThousand =
    figure.cpuMsPerThousandEvents === null
      ? ''
      : `${figure.cpuMsPerThousandEvents.toFixed(1)} ms per 1,000 events, `;
  const text = `Harness CPU (publisher and receiver): ${perThousand}${cores.toFixed(2)} of ${figure.cores} cores busy`;
  if (cores <= MAX_HARNESS_CORES) return text;
  return (
    `${text}, above the ${MAX_HARNESS_CORES}-core limit: the SUT's latency includes waiting for ` +
    'the CPU the load test itself took'
  );
}
