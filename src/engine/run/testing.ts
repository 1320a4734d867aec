import { randomInt } from 'node:crypto';
import { DEFAULT_MIX } from '../events/generator.js';
import { silentLogger } from '../log.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../../stack/test-support.js';
import type { RunOptions } from './types.js';

/**
 * A small run against the tests' Redis and PostgreSQL for tests of the run's order and its faults:
 * 10 events at 10/s, one trial, no warm-up, a chain of its own, a short ready timeout.
 */
export function smallRun(
  overrides: Partial<RunOptions & { trials: number }> = {},
): RunOptions & { trials: number } {
  return {
    scenario: 'custom',
    events: 10,
    ratePerSec: 10,
    concurrency: 1,
    durationSec: null,
    chainId: randomInt(900_000_000, 2_000_000_000),
    seed: 1,
    mix: DEFAULT_MIX,
    warmupEvents: 0,
    redisUrl: TEST_REDIS_URL,
    databaseUrl: TEST_DATABASE_URL,
    applySchema: false,
    receiver: { host: '127.0.0.1', port: 0, path: '/webhook' },
    readyTimeoutMs: 2_000,
    drainTimeoutMs: 1_000,
    sutHealthUrls: [],
    thresholds: { maxAvgLatencyMs: 500, excellentThroughputPerSec: 1, goodThroughputPerSec: 1 },
    progress: 'off',
    logger: silentLogger,
    trials: 1,
    ...overrides,
  };
}
