import { describe, expect, it } from 'vitest';
import { defaultWarmupEvents, resolveShape, SCENARIO_NAMES } from './scenarios.js';

describe('resolveShape', () => {
  it('gives the original tool scenarios', () => {
    expect(SCENARIO_NAMES).toEqual(['quick', 'medium', 'stress', 'burst', 'sustained']);
    expect(resolveShape('quick', {})).toEqual({
      scenario: 'quick',
      events: 1000,
      ratePerSec: 500,
      concurrency: 5,
      durationSec: null,
    });
    expect(resolveShape('sustained', {})).toEqual({
      scenario: 'sustained',
      events: null,
      ratePerSec: 1000,
      concurrency: 10,
      durationSec: 300,
    });
  });

  it('lets flags override any field, events and duration replacing each other', () => {
    expect(resolveShape('medium', { ratePerSec: 2000, concurrency: 4 })).toMatchObject({
      events: 10000,
      ratePerSec: 2000,
      concurrency: 4,
    });
    expect(resolveShape('sustained', { events: 500 })).toMatchObject({
      events: 500,
      durationSec: null,
    });
    expect(resolveShape('quick', { durationSec: 10 })).toMatchObject({
      events: null,
      durationSec: 10,
    });
  });

  it('names the input and the valid values on errors', () => {
    expect(() => resolveShape('huge', {})).toThrow(
      '--scenario: unknown scenario "huge"; valid scenarios are quick, medium, stress, burst, sustained',
    );
    expect(() =>
      resolveShape(
        'quick',
        {},
        {
          scenario: 'scenario',
          events: 'events',
          rate: 'rate',
          concurrency: 'concurrency',
          duration: 'duration',
        },
      ),
    ).not.toThrow();
    expect(() => resolveShape('quick', { events: 3 })).toThrow(
      /--concurrency 5 is above the events of the run \(--events 3\)/,
    );
    expect(() => resolveShape('sustained', { ratePerSec: 0 })).toThrow(/--rate 0/);
  });
});

describe('defaultWarmupEvents', () => {
  it('warms up for 5 s of the target rate, at least 200 events', () => {
    expect(defaultWarmupEvents(500)).toBe(2_500);
    expect(defaultWarmupEvents(10)).toBe(200);
    expect(defaultWarmupEvents(0)).toBe(1_000);
  });
});
