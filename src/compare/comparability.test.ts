import { describe, expect, it } from 'vitest';
import { configDifferences, configKey, environmentDifferences } from './comparability.js';
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
