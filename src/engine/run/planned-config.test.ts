import { describe, expect, it } from 'vitest';
import { plannedRunConfig } from './run.js';

const options = {
  scenario: 'quick' as const,
  events: 400,
  durationSec: null,
  ratePerSec: 200,
  concurrency: 2,
  chainId: 11155111,
  seed: 42,
  mix: { usdc: 2, weth: 1, dai: 1, link: 1, uniswap: 1 },
  warmupEvents: 200,
  drainTimeoutMs: 5_000,
  receiver: { host: '127.0.0.1', port: 0, path: '/webhook' },
};

describe('plannedRunConfig', () => {
  it("is the config the run's results will record, known before it runs", () => {
    // Every option but where the receiver listens, and the receiver's faults (none here).
    const { receiver: _listensOn, ...recorded } = options;
    expect(plannedRunConfig(options)).toEqual({
      ...recorded,
      faults: { failureRate: 0, failureStatus: 503, delayMs: 0 },
    });
  });

  it("records the receiver's injected faults, which make it another load", () => {
    const clean = plannedRunConfig(options);
    const faulty = plannedRunConfig({
      ...options,
      receiver: { ...options.receiver, failureRate: 0.1, delayMs: 50 },
    });
    expect(faulty.faults).toEqual({ failureRate: 0.1, failureStatus: 503, delayMs: 50 });
    expect({ ...faulty, faults: clean.faults }).toEqual(clean);
  });
});
