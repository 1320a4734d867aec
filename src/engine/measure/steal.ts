import { readFileSync } from 'node:fs';
import { sleepMs } from '../clock.js';

/**
 * CPU steal: time this machine's virtual CPUs were ready to run while the hypervisor ran another
 * guest. A hosted runner is such a guest. Its own processes, the SUT included, cannot cause
 * steal, so a trial during which much was stolen measured the host's other tenants, not the
 * code: a bench run on a 2-core guest read p50 7.8 ms in a round with 12-24% stolen and
 * 1.4-1.6 ms in the rounds around it (1-2% stolen).
 *
 * Linux reports it in /proc/stat (the 8th figure of the `cpu` line, in clock ticks summed over
 * all CPUs); Node's os.cpus() leaves it out. Elsewhere it is not measured (null).
 */

/** Ticks summed over all CPUs since boot. */
export interface CpuTicks {
  steal: number;
  total: number;
}

/** A trial with more of the machine's CPU time stolen than this is measured again. */
export const MAX_STOLEN_CPU_SHARE = 0.05;

/** Where the run reads steal, and how long it waits for it to fall before measuring again. */
export interface StealSource {
  read(): CpuTicks | null;
  /** Longest wait for quiet seconds before a trial is measured again. */
  quietWaitMs: number;
}

/**
 * Steal comes in bursts of seconds to minutes (on the bench's host: 1-2% for minutes, then
 * 10-30% for half a minute), so a trial measured again at once would often be disturbed again.
 */
export const DEFAULT_QUIET_WAIT_MS = 15_000;

export const procStatSteal: StealSource = {
  read: () => readCpuTicks(),
  quietWaitMs: DEFAULT_QUIET_WAIT_MS,
};

/** The `cpu` line of /proc/stat; null where there is none (not Linux, no /proc). */
export function readCpuTicks(
  read: () => string = () => readFileSync('/proc/stat', 'utf8'),
): CpuTicks | null {
  let text: string;
  try {
    text = read();
  } catch {
    return null;
  }
  const line = text.split('\n').find((candidate) => candidate.startsWith('cpu '));
  if (!line) return null;
  // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already
  // counted in user and nice, so the total is the first eight.
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 8 || fields.some((field) => !Number.isFinite(field))) return null;
  return { steal: fields[7] as number, total: fields.reduce((sum, field) => sum + field, 0) };
}

/**
 * Share of all CPU time between two readings that was stolen (0-1); null when either reading is
 * missing or no tick passed.
 */
export function stolenShare(before: CpuTicks | null, after: CpuTicks | null): number | null {
  if (!before || !after) return null;
  const total = after.total - before.total;
  if (!(total > 0)) return null;
  return Math.min(1, Math.max(0, (after.steal - before.steal) / total));
}

/** e.g. "12.4%". */
export const formatShare = (share: number): string => `${(share * 100).toFixed(1)}%`;

/** Quiet seconds in a row that end the wait before a trial is measured again. */
export const QUIET_SECONDS = 3;

/**
 * Waits, one second at a time, for QUIET_SECONDS seconds in a row in each of which at most
 * `limit` of the CPU time was stolen, or until the source's quietWaitMs has passed. Returns the
 * ms waited. Over this session's per-second steal log (about 5,900 s), a 3-s trial started after
 * one quiet second following a disturbed trial was disturbed again 23% of the time; after three
 * in a row, 7.5% (median wait 5 s); after five, 20%, as the 15 s cap then ended more waits inside
 * the burst.
 */
export async function waitForQuietSeconds(
  source: StealSource,
  limit: number = MAX_STOLEN_CPU_SHARE,
): Promise<number> {
  const started = performance.now();
  let before = source.read();
  let quiet = 0;
  while (quiet < QUIET_SECONDS && performance.now() - started < source.quietWaitMs) {
    await sleepMs(Math.min(1_000, source.quietWaitMs));
    const after = source.read();
    const share = stolenShare(before, after);
    quiet = share === null || share <= limit ? quiet + 1 : 0;
    before = after;
  }
  return performance.now() - started;
}
