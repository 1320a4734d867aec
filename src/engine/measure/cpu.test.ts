import { describe, expect, it } from 'vitest';
import { harnessCores, harnessCpuFigures, harnessCpuText, processCpu } from './cpu.js';

describe('harnessCpuFigures', () => {
  it('gives CPU per 1,000 published events and the share of all cores', () => {
    // 1.2 s of CPU over 4 s of a 2-core runner, for 20,000 events.
    const figure = harnessCpuFigures({
      cpuUs: 1_200_000,
      wallUs: 4_000_000,
      cores: 2,
      events: 20_000,
    });
    expect(figure).toEqual({
      cpuMs: 1200,
      wallMs: 4000,
      cores: 2,
      cpuMsPerThousandEvents: 60,
      shareOfCores: 0.15,
    });
    expect(harnessCores(figure)).toBeCloseTo(0.3);
    expect(harnessCpuText(figure)).toBe(
      'Harness CPU (publisher and receiver): 60.0 ms per 1,000 events, 0.30 of 2 cores busy',
    );
  });

  it('has no per-event figure when nothing was published', () => {
    const figure = harnessCpuFigures({ cpuUs: 5_000, wallUs: 1_000_000, cores: 2, events: 0 });
    expect(figure.cpuMsPerThousandEvents).toBeNull();
  });

  it('says so above half a core, naming the limit', () => {
    const figure = harnessCpuFigures({
      cpuUs: 2_400_000,
      wallUs: 4_000_000,
      cores: 2,
      events: 40_000,
    });
    expect(harnessCpuText(figure)).toBe(
      'Harness CPU (publisher and receiver): 60.0 ms per 1,000 events, 0.60 of 2 cores busy, ' +
        "above the 0.5-core limit: the SUT's latency includes waiting for the CPU the load test itself took",
    );
  });
});

describe('processCpu', () => {
  it("reads this process's CPU time, which grows with work", () => {
    const before = processCpu.readUs();
    let spin = 0;
    for (let i = 0; i < 5_000_000; i++) spin += i % 7;
    expect(spin).toBeGreaterThan(0);
    expect(processCpu.readUs()).toBeGreaterThan(before);
    expect(processCpu.cores).toBeGreaterThanOrEqual(1);
  });
});
