import { describe, expect, it } from 'vitest';
import { makeRunResult } from '../compare/fixtures.js';
import { aggregateTrials } from '../compare/trials.js';
import type { HarnessCpu, RunResult } from '../engine/measure/result.js';
import { publisherFields } from './model.js';

const harness = (cpuMsPerThousandEvents: number, shareOfCores: number): HarnessCpu => ({
  cpuMs: cpuMsPerThousandEvents * 5,
  wallMs: 5000,
  cores: 2,
  cpuMsPerThousandEvents,
  shareOfCores,
});

const trial = (runId: string, runner: RunResult['runner']): RunResult => ({
  ...makeRunResult({ runId }),
  ...(runner ? { runner } : {}),
});

function cells(results: RunResult[]): Record<string, string> {
  const current = aggregateTrials(results);
  const fields = publisherFields({ name: 'steady', current, reference: null, baseline: null });
  return Object.fromEntries(fields.map((field) => [field.field, field.current]));
}

// The runner section shows the harness's own CPU beside the CPU the hypervisor stole.
describe("the report's harness CPU and steal", () => {
  it('shows the median over trials', () => {
    const shown = cells([
      trial('t000000000000001', { stolenCpuShare: 0.01, harnessCpu: harness(40, 0.1) }),
      trial('t000000000000002', { stolenCpuShare: 0.03, harnessCpu: harness(44, 0.12) }),
      trial('t000000000000003', { stolenCpuShare: 0.02, harnessCpu: harness(90, 0.14) }),
    ]);
    expect(shown['Harness CPU per 1,000 events (ms)']).toBe('44.0');
    expect(shown['Harness CPU (cores kept busy)']).toBe('0.24 of 2');
    expect(shown['CPU stolen by the hypervisor']).toBe('2.0%');
  });

  it('says when a trial kept more than half a core busy', () => {
    const shown = cells([
      trial('t000000000000001', { stolenCpuShare: 0, harnessCpu: harness(40, 0.1) }),
      trial('t000000000000002', { stolenCpuShare: 0, harnessCpu: harness(120, 0.3) }),
    ]);
    expect(shown['Harness CPU (cores kept busy)']).toBe('0.40 of 2 ⚠️ above 0.5 in a trial');
  });

  it('shows no row for files written before it was measured', () => {
    const shown = cells([trial('t000000000000001', undefined)]);
    expect(Object.keys(shown).filter((field) => /Harness|stolen/.test(field))).toEqual([]);
  });
});
