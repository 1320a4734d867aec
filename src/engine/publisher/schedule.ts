/**
 * The global open-loop schedule: event i is due at t0 + i/R, in integer microseconds.
 *
 * Every slot is computed from its index, never by adding intervals, so rounding cannot accumulate
 * into drift over a long run, and any process that knows (t0, R) computes the same slots.
 */
export function slotUs(t0Us: number, index: number, ratePerSec: number): number {
  return t0Us + Math.floor((index * 1e6) / ratePerSec);
}

/** How many of the indexes [0, limit) are due at `nowUs` (slot <= now). */
export function dueCount(t0Us: number, nowUs: number, ratePerSec: number, limit: number): number {
  if (nowUs < t0Us) return 0;
  // A float estimate, then corrected against the exact slot formula.
  let count = Math.min(limit, Math.floor(((nowUs - t0Us) * ratePerSec) / 1e6) + 1);
  while (count > 0 && slotUs(t0Us, count - 1, ratePerSec) > nowUs) count--;
  while (count < limit && slotUs(t0Us, count, ratePerSec) <= nowUs) count++;
  return count;
}
