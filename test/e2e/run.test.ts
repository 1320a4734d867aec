import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoadTest } from '../../src/engine/run/run.js';
import { isolatedStack, type IsolatedStack } from './helpers.js';

// The first complete loop: publish -> reference pipeline (processor + delivery) -> receiver.
describe('run against the reference pipeline', () => {
  let stack: IsolatedStack;
  beforeAll(async () => {
    stack = await isolatedStack();
  });
  afterAll(async () => {
    await stack?.drop();
  });

  it('delivers every expected webhook of the quick scenario exactly once, correctly signed', async () => {
    const pipeline = await stack.startPipeline();
    try {
      const result = await runLoadTest(
        stack.runOptions({
          sutHealthUrls: [
            `${pipeline.processorHealthUrl}/ready`,
            `${pipeline.deliveryHealthUrl}/health`,
          ],
        }),
      );
      expect(result.publisher.published).toBe(1_000);
      // The default mix sends each event to exactly one of the five seeded endpoints.
      expect(result.delivery.expected).toBe(1_000);
      expect(result.delivery).toMatchObject({
        delivered: 1_000,
        lost: 0,
        duplicates: 0,
        badSignatures: 0,
        foreign: 0,
        malformed: 0,
      });
      expect(result.delivery.successRate).toBe(1);
      expect(result.delivery.drainEnded).toBe('complete');
      expect(result.delivery.latencyMs.count).toBe(1_000);
      expect(result.endpoints).toHaveLength(5);
      expect(result.endpoints.reduce((sum, e) => sum + e.delivered, 0)).toBe(1_000);
      for (const endpoint of result.endpoints) {
        expect(endpoint.expected).toBeGreaterThan(100);
        expect(endpoint.lost).toBe(0);
      }
      // Second by second from the first scheduled send: 1,000 events at 500/s take 2 s.
      const timeline = result.timeline!;
      expect(timeline.bucketSec).toBe(1);
      const sum = (values: readonly number[]) => values.reduce((total, v) => total + v, 0);
      expect(sum(timeline.publishedPerSec)).toBe(1_000);
      expect(sum(timeline.deliveredPerSec)).toBe(1_000);
      expect(timeline.publishedPerSec[0]).toBeGreaterThan(400);
      expect(timeline.backlog.at(-1)).toBe(0);
      expect(timeline.p99Ms[0]).toBeGreaterThan(0);
      expect(timeline.publishEndSec).toBeGreaterThanOrEqual(1.9);
      expect(result.environment.redisVersion).toMatch(/^\d+\./);
      expect(result.environment.postgresVersion).toMatch(/^\d+/);
    } finally {
      await pipeline.stop();
    }
  });

  it('loses only what the pipeline gives up on when the receiver fails 10% of requests with 503, and shows the failed attempts', async () => {
    const pipeline = await stack.startPipeline({ circuitBreakerThreshold: 0 });
    try {
      const result = await runLoadTest(
        stack.runOptions({
          events: 600,
          ratePerSec: 300,
          warmupEvents: 0,
          receiver: {
            host: '127.0.0.1',
            port: 0,
            path: '/webhook',
            failureRate: 0.1,
            failureStatus: 503,
          },
        }),
      );
      // Each attempt fails with probability 0.1, and the seeded endpoints allow 5: about 1 run in
      // 140 has a delivery whose every attempt failed, which EthHook gives up on (CI lost 1 so).
      // Exact loss accounting: what the run counts lost is what the pipeline gave up on.
      const gaveUp = pipeline.stats().delivery!.failedPermanently;
      expect(gaveUp).toBeLessThanOrEqual(2);
      expect(result.delivery.lost).toBe(gaveUp);
      expect(result.delivery.delivered).toBe(result.delivery.expected - gaveUp);
      expect(result.delivery.failedAttempts).toBeGreaterThan(20);
      // Recorded, so this run can be neither a baseline nor compared with a clean one unnoticed.
      expect(result.config.faults).toEqual({ failureRate: 0.1, failureStatus: 503, delayMs: 0 });
      expect(result.delivery.totalRequests).toBe(
        result.delivery.delivered + result.delivery.failedAttempts + result.delivery.duplicates,
      );
    } finally {
      await pipeline.stop();
    }
  });

  it('shows an injected 20 ms processing delay in p50, measured side by side', async () => {
    const measure = async (processingDelayMs: number) => {
      const pipeline = await stack.startPipeline({ processingDelayMs });
      try {
        return await runLoadTest(
          stack.runOptions({ events: 400, ratePerSec: 200, warmupEvents: 20 }),
        );
      } finally {
        await pipeline.stop();
      }
    };
    const plain = await measure(0);
    const delayed = await measure(20);
    expect(plain.delivery.lost).toBe(0);
    expect(delayed.delivery.lost).toBe(0);
    expect(delayed.delivery.latencyMs.p50 - plain.delivery.latencyMs.p50).toBeGreaterThanOrEqual(
      20,
    );
  });
});
