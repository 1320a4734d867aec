/**
 * EthHook's retry policy (webhook-delivery retry.rs): retry network errors, 5xx and 429; never
 * other 4xx (the receiver said the request itself is wrong).
 */
export function isRetryableStatus(status: number | null): boolean {
  if (status === null) return true;
  if (status >= 200 && status < 300) return false;
  if (status === 429) return true;
  if (status >= 400 && status < 500) return false;
  return true;
}

/**
 * Wait before attempt `nextAttempt` (2, 3, ...): base * 2^(nextAttempt - 2), capped at `maxMs`,
 * times a jitter in [0.8, 1.2) so a burst of failures does not retry in lockstep. With EthHook's
 * base of 2 s: about 2, 4, 8, 16 s.
 */
export function backoffMs(
  nextAttempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponential = baseMs * 2 ** Math.max(nextAttempt - 2, 0);
  return Math.min(exponential, maxMs) * (0.8 + 0.4 * random());
}
