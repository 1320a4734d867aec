import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { allCoresProbeMs, environmentFingerprint, speedProbe } from './fingerprint.js';

describe('the speed probe', () => {
  it('runs the CPU loop on every core at once and stops its workers', async () => {
    // A running worker holds a MessagePort open; a worker left behind would keep it.
    const ports = () =>
      process.getActiveResourcesInfo().filter((kind) => kind === 'MessagePort').length;
    const before = ports();
    const probe = allCoresProbeMs(3, 2_000_000, 2);
    // The workers start before the function's first await.
    expect(ports()).toBe(before + 2);
    expect(await probe).toBeGreaterThan(0);
    expect(ports()).toBe(before);
  });

  it('adds no listener per round (Node warned of a leak past 10 rounds)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      expect(await allCoresProbeMs(15, 200_000, 1)).toBeGreaterThan(0);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('records the all-cores figure next to the one-thread figure', async () => {
    const probe = await speedProbe();
    expect(probe.cpuMs).toBeGreaterThan(0);
    expect(probe.redisRoundTripUs).toBeNull();
    // Every core doing the work of one cannot finish faster than one core alone, give or take
    // the rounding and turbo clocks: a broken probe (no work, one worker) would.
    expect(probe.allCoresMs).toBeGreaterThan(probe.cpuMs * 0.5);
    expect(os.availableParallelism()).toBeGreaterThan(0);
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
