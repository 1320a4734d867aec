import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';
import { backoffMs, isRetryableStatus } from './retry.js';

describe('isRetryableStatus', () => {
  it('retries network errors, 5xx and 429, nothing else', () => {
    expect(isRetryableStatus(null)).toBe(true);
    for (const status of [500, 502, 503, 504, 429]) expect(isRetryableStatus(status)).toBe(true);
    for (const status of [200, 201, 204, 400, 401, 403, 404, 405, 410, 422]) {
      expect(isRetryableStatus(status)).toBe(false);
    }
  });
});

describe('backoffMs', () => {
  it('doubles from the base per attempt, capped, with jitter in [0.8, 1.2)', () => {
    const low = () => 0;
    const high = () => 0.999_999;
    expect(backoffMs(2, 2_000, 60_000, low)).toBe(1_600);
    expect(backoffMs(3, 2_000, 60_000, low)).toBe(3_200);
    expect(backoffMs(4, 2_000, 60_000, low)).toBe(6_400);
    expect(backoffMs(2, 2_000, 60_000, high)).toBeCloseTo(2_400, 0);
    expect(backoffMs(20, 2_000, 60_000, low)).toBe(48_000);
    expect(backoffMs(20, 2_000, 60_000, high)).toBeCloseTo(72_000, 0);
  });
});

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, half-opens after the timeout', () => {
    let now = 0;
    const breaker = new CircuitBreaker(3, 1_000, () => now);
    breaker.recordFailure('a');
    breaker.recordFailure('a');
    expect(breaker.allows('a')).toBe(true);
    breaker.recordFailure('a');
    expect(breaker.allows('a')).toBe(false);
    expect(breaker.allows('b')).toBe(true);
    now = 999;
    expect(breaker.allows('a')).toBe(false);
    now = 1_000;
    expect(breaker.allows('a')).toBe(true);
    // Half-open: one more failure opens it again at once.
    breaker.recordFailure('a');
    expect(breaker.allows('a')).toBe(false);
    now = 2_000;
    expect(breaker.allows('a')).toBe(true);
    breaker.recordSuccess('a');
    breaker.recordFailure('a');
    expect(breaker.allows('a')).toBe(true);
  });

  it('a success resets the count', () => {
    const breaker = new CircuitBreaker(2, 1_000, () => 0);
    breaker.recordFailure('a');
    breaker.recordSuccess('a');
    breaker.recordFailure('a');
    expect(breaker.allows('a')).toBe(true);
  });

  it('threshold 0 disables it', () => {
    const breaker = new CircuitBreaker(0, 1_000, () => 0);
    for (let i = 0; i < 100; i++) breaker.recordFailure('a');
    expect(breaker.allows('a')).toBe(true);
  });
});
