import { describe, expect, it } from 'vitest';
import { createHistogram } from '../measure/histogram.js';
import { createScheduler, PacedScheduler, UnpacedScheduler } from './scheduler.js';

describe('createScheduler', () => {
  it('paces any positive rate and publishes as fast as possible at rate 0', () => {
    expect(createScheduler(100, null, 50)).toBeInstanceOf(PacedScheduler);
    expect(createScheduler(100, null, 0)).toBeInstanceOf(UnpacedScheduler);
    expect(createScheduler(null, 2, 50).plannedTotal).toBe(100);
    expect(createScheduler(null, 2, 0).plannedTotal).toBe(Infinity);
  });
});

describe('PacedScheduler', () => {
  it('sends what is due on the global schedule and records how late each went out', () => {
    const scheduler = new PacedScheduler(1_000, 10);
    scheduler.start(1_000_000);
    expect(scheduler.wanted(999_999, 0)).toBe(0);
    expect(scheduler.wanted(1_002_500, 0)).toBe(3); // slots 0, 1000, 2000 µs
    expect(scheduler.wanted(1_050_000, 3)).toBe(7); // never past the planned 10
    expect(scheduler.intendedUs(4)).toBe(1_004_000);
    expect(scheduler.waitUs(1_002_500, 3)).toBe(500);
    const lag = createHistogram();
    scheduler.dispatching(1_002_500, 0, 3, lag);
    expect(lag.totalCount).toBe(3);
    expect(lag.maxValue).toBeGreaterThanOrEqual(2_499);
    expect(scheduler.expired(Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(scheduler.rateMet(990)).toBe(true);
    expect(scheduler.rateMet(989)).toBe(false);
    expect(scheduler.laneWindow(20_000, 8)).toBe(2_500);
    // An event due goes out into any room.
    expect(scheduler.minBatch(3, 2_500)).toBe(1);
  });
});

describe('UnpacedScheduler', () => {
  it('sends a batch per connection every tick, timing each event from its dispatch', () => {
    const scheduler = new UnpacedScheduler(1_000, null);
    scheduler.start(0);
    expect(scheduler.wanted(0, 0, 4)).toBe(512);
    expect(scheduler.wanted(0, 900, 4)).toBe(100);
    expect(scheduler.waitUs(0, 900)).toBe(0);
    const lag = createHistogram();
    scheduler.dispatching(7_000, 0, 512, lag);
    scheduler.dispatching(9_000, 512, 100, lag);
    expect(scheduler.intendedUs(511)).toBe(7_000);
    expect(scheduler.intendedUs(512)).toBe(9_000);
    expect(lag.totalCount).toBe(612);
    expect(lag.maxValue).toBe(1);
    expect(scheduler.rateMet(1)).toBe(true);
    expect(scheduler.laneWindow(20_000, 8)).toBe(256);
    // A connection waits for room for 64, at most half its window, at most what is left.
    expect(scheduler.minBatch(512, 256)).toBe(64);
    expect(scheduler.minBatch(512, 32)).toBe(16);
    expect(scheduler.minBatch(10, 256)).toBe(10);
    expect(scheduler.minBatch(512, 1)).toBe(1);
  });

  it('grows its record of dispatch times past its first size, and stops at the deadline', () => {
    const scheduler = new UnpacedScheduler(Infinity, 2);
    scheduler.start(1_000_000);
    scheduler.dispatching(1_500_000, 0, 70_000, createHistogram());
    scheduler.dispatching(1_600_000, 70_000, 200_000, createHistogram());
    expect(scheduler.intendedUs(69_999)).toBe(1_500_000);
    expect(scheduler.intendedUs(269_999)).toBe(1_600_000);
    expect(scheduler.expired(2_999_999)).toBe(false);
    expect(scheduler.expired(3_000_000)).toBe(true);
  });
});
