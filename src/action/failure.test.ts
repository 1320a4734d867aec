import { describe, expect, it } from 'vitest';
import { ActionFailure, failStep } from './failure.js';
import { writeJobSummary } from './github/summary.js';
import { fakeCore } from './testing.js';

describe('failStep', () => {
  it('fails with the title of an ActionFailure', () => {
    const core = fakeCore();
    failStep(
      core,
      new ActionFailure('p50 12 ms → 60 ms', 'Performance regression (baseline quick)'),
    );
    expect(core.annotations).toEqual([
      {
        level: 'failed',
        message: 'p50 12 ms → 60 ms',
        properties: { title: 'Performance regression (baseline quick)' },
      },
    ]);
  });

  it('fails with the message of anything else', () => {
    const core = fakeCore();
    failStep(core, new Error('boom'));
    failStep(core, 'text');
    expect(core.annotations.map((a) => [a.message, a.properties])).toEqual([
      ['boom', undefined],
      ['text', undefined],
    ]);
  });
});

describe('writeJobSummary', () => {
  it('warns instead of failing outside a runner', async () => {
    const core = fakeCore();
    core.summaryFails = true;
    expect(await writeJobSummary(core, '# report')).toBe(false);
    expect(core.annotations[0]?.message).toMatch(/^The job summary was not written/);
  });
});
