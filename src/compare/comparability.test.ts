import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  configDifferences,
  configKey,
  cpuFamily,
  describeDifferences,
  environmentDifferences,
  SPEED_PROBE_MARGIN,
} from './comparability.js';
import { fixtureConfig, fixtureEnvironment } from './fixtures.js';

describe('configDifferences', () => {
  it('lists load-shaping fields that differ, readably', () => {
    const base = fixtureConfig();
    expect(configDifferences(base, { ...base, seed: 1, drainTimeoutMs: 1 })).toEqual([]);
    expect(
      configDifferences(base, {
        ...base,
        scenario: 'burst',
        mix: { swap: 0.5, transfer: 0.5 },
        durationSec: 60,
      }),
    ).toEqual([
      { field: 'scenario', baseline: 'steady', current: 'burst' },
      { field: 'durationSec', baseline: 'none', current: '60' },
      { field: 'mix', baseline: 'swap=0.2, transfer=0.8', current: 'swap=0.5, transfer=0.5' },
    ]);
  });

  it('makes injected faults part of what must match, naming them', () => {
    const base = fixtureConfig();
    const faulty = { ...base, faults: { failureRate: 0.1, failureStatus: 503, delayMs: 50 } };
    expect(configDifferences(base, faulty)).toEqual([
      {
        field: 'faults',
        baseline: 'none',
        current: '10% of webhooks answered 503, every reply delayed 50 ms',
      },
    ]);
    expect(configKey(faulty)).not.toBe(configKey(base));
    // A status with nothing failing injects nothing.
    const statusOnly = { ...base, faults: { failureRate: 0, failureStatus: 400, delayMs: 0 } };
    expect(configDifferences(base, statusOnly)).toEqual([]);
    expect(configKey(statusOnly)).toBe(configKey(base));
  });

  it('keeps the key of a clean run as it was before faults were recorded', () => {
    const { faults: _faults, ...before } = fixtureConfig();
    // The key files written before faults were recorded hold (their history must still count).
    expect(configKey(fixtureConfig())).toBe(
      createHash('sha256')
        .update(
          JSON.stringify({
            chainId: before.chainId,
            concurrency: before.concurrency,
            durationSec: before.durationSec,
            events: before.events,
            mix: { swap: 0.2, transfer: 0.8 },
            ratePerSec: before.ratePerSec,
            scenario: before.scenario,
            warmupEvents: before.warmupEvents,
          }),
        )
        .digest('hex')
        .slice(0, 12),
    );
  });

  it('keys configs stably, whatever the key order of the mix', () => {
    const base = fixtureConfig();
    const reordered = { ...base, mix: { swap: 0.2, transfer: 0.8 }, seed: 99 };
    expect(configKey(reordered)).toBe(configKey(base));
    expect(configKey({ ...base, ratePerSec: 101 })).not.toBe(configKey(base));
  });
});

describe('environmentDifferences', () => {
  it('compares what changes the figures and ignores what does not', () => {
    const base = fixtureEnvironment();
    expect(
      environmentDifferences(base, {
        ...base,
        os: 'Linux 6.11.0-1',
        nodeVersion: 'v20.1.0',
        memoryGiB: 17,
        postgresVersion: null,
      }),
    ).toEqual([]);
    expect(
      environmentDifferences(base, {
        ...base,
        arch: 'arm64',
        os: 'Darwin 24.1.0',
        postgresVersion: '17.0',
      }).map((item) => item.field),
    ).toEqual(['arch', 'os', 'postgresVersion']);
  });
});

describe('comparability that fits real runners', () => {
  const probed = (cpuMs: number, redisRoundTripUs: number | null = 60) => ({
    ...fixtureEnvironment(),
    speed: { cpuMs, redisRoundTripUs },
  });

  it('names the CPU family: vendor and product line', () => {
    expect(cpuFamily('Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz')).toBe('intel xeon');
    expect(cpuFamily('Intel(R) Xeon(R) CPU E5-2673 v4 @ 2.30GHz')).toBe('intel xeon');
    expect(cpuFamily('AMD EPYC 7763 64-Core Processor')).toBe('amd epyc');
    expect(cpuFamily('AMD EPYC 9V74 80-Core Processor')).toBe('amd epyc');
    expect(cpuFamily('Apple M1 Pro')).toBe('apple m1');
  });

  it('compares two models of one family when their speed probes agree', () => {
    const other = { ...probed(104), cpuModel: 'AMD EPYC 9V74 80-Core Processor' };
    expect(environmentDifferences(probed(100), other)).toEqual([]);
    // Strict (require-same-environment): the exact model too.
    expect(
      environmentDifferences(probed(100), other, { strict: true }).map((item) => item.field),
    ).toEqual(['cpuModel']);
    // Without a probe on either side, the model is all there is to go by.
    expect(
      environmentDifferences(fixtureEnvironment(), {
        ...fixtureEnvironment(),
        cpuModel: 'AMD EPYC 9V74 80-Core Processor',
      }).map((item) => item.field),
    ).toEqual(['cpuModel']);
    // Another family never compares.
    expect(
      environmentDifferences(probed(100), {
        ...probed(100),
        cpuModel: 'Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz',
      }).map((item) => item.field),
    ).toEqual(['cpuModel']);
  });

  it('names how much slower a runner is when a probe disagrees beyond its margin', () => {
    expect(environmentDifferences(probed(100), probed(100 * SPEED_PROBE_MARGIN.cpu))).toEqual([]);
    const [slower] = environmentDifferences(probed(100), probed(140));
    expect(slower).toMatchObject({ field: 'speed' });
    expect(slower?.explanation).toBe("this runner is 1.40x slower than the baseline's (CPU probe)");
    expect(describeDifferences([slower!])).toMatch(
      /^this runner is 1\.40x slower than the baseline's \(CPU probe\): speed \(baseline CPU 100 ms, Redis 60 µs, current CPU 140 ms, Redis 60 µs\)$/,
    );
    // The Redis round trip gauges the moment's load, not the runner: shown, never deciding.
    expect(environmentDifferences(probed(100, 60), probed(100, 150))).toEqual([]);
    expect(environmentDifferences(probed(100), probed(70))[0]?.explanation).toMatch(
      /1\.43x faster/,
    );
  });

  it('reads a file with the all-cores figure of older versions, and shows only the one-thread figure', () => {
    const older = (cpuMs: number) => ({
      ...fixtureEnvironment(),
      speed: { cpuMs, redisRoundTripUs: 60, allCoresMs: 150 },
    });
    expect(environmentDifferences(older(35.3), older(34.7))).toEqual([]);
    expect(describeDifferences(environmentDifferences(older(100), older(140)))).toMatch(
      /current CPU 140 ms, Redis 60 µs/,
    );
  });
});
