import { describe, expect, it } from 'vitest';
import { environmentFingerprint, speedProbe } from './fingerprint.js';

describe('the speed probe', () => {
  it('records the one-thread CPU figure, and no Redis figure without a Redis to ask', async () => {
    const probe = await speedProbe();
    expect(probe.cpuMs).toBeGreaterThan(0);
    expect(probe.redisRoundTripUs).toBeNull();
    // The all-cores probe is gone (0.8 s of both cores a process, for a deleted rule).
    expect(probe).not.toHaveProperty('allCoresMs');
  });
});

describe('the environment fingerprint', () => {
  it('probes the runner once per process: every start of a paired check reuses it', async () => {
    let probes = 0;
    const sources = {
      redisVersion: async () => '7.0.0',
      postgresVersion: async () => '15.0',
      withRedisPing: async <T>(work: (ping: () => Promise<unknown>) => Promise<T>): Promise<T> => {
        probes += 1;
        return work(async () => 'PONG');
      },
    };
    const first = await environmentFingerprint(sources);
    const second = await environmentFingerprint(sources);
    expect(probes).toBe(1);
    expect(second.speed).toEqual(first.speed);
    expect(first.speed?.cpuMs).toBeGreaterThan(0);
  });
});
