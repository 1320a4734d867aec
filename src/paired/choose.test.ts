import { describe, expect, it } from 'vitest';
import { chooseReference, type ReferenceFacts } from './choose.js';

const otherCpu = [{ field: 'cpuModel', baseline: 'Xeon', current: 'EPYC' }];
const facts = (overrides: Partial<ReferenceFacts>): ReferenceFacts => ({
  compareTo: 'auto',
  settingName: 'compare-to',
  baseline: { environment: [], config: [] },
  base: { available: true },
  ...overrides,
});

describe('chooseReference', () => {
  it('auto keeps a committed baseline measured on a machine like this one', () => {
    expect(chooseReference(facts({}))).toEqual({
      reference: 'baseline',
      why: 'compare-to auto: the committed baseline was measured on a machine like this one',
    });
  });

  it('auto measures the base when the baseline is of another machine, another load, or missing', () => {
    expect(chooseReference(facts({ baseline: { environment: otherCpu, config: [] } }))).toEqual({
      reference: 'base',
      why: 'compare-to auto: the committed baseline was measured on another machine: cpuModel (baseline Xeon, current EPYC), so the base is measured here',
    });
    const otherLoad = [{ field: 'scenario', baseline: 'medium', current: 'quick' }];
    expect(chooseReference(facts({ baseline: { environment: [], config: otherLoad } })).why).toBe(
      'compare-to auto: the committed baseline measured another load: scenario (baseline medium, current quick), so the base is measured here',
    );
    expect(chooseReference(facts({ baseline: null })).why).toBe(
      'compare-to auto: there is no committed baseline, so the base is measured here',
    );
  });

  it('auto falls back to the baseline, saying why, when the base cannot be measured', () => {
    const choice = chooseReference(
      facts({
        baseline: { environment: otherCpu, config: [] },
        base: {
          available: false,
          why: 'the SUT is already running (no compose-file or start-command)',
        },
      }),
    );
    expect(choice.reference).toBe('baseline');
    expect(choice.why).toContain(
      'and the base cannot be measured here (the SUT is already running (no compose-file or start-command))',
    );
  });

  it('baseline and base do as asked; base refuses when it cannot, naming the setting', () => {
    expect(chooseReference(facts({ compareTo: 'baseline', baseline: null })).reference).toBe(
      'baseline',
    );
    expect(chooseReference(facts({ compareTo: 'base' })).reference).toBe('base');
    expect(() =>
      chooseReference(
        facts({
          compareTo: 'base',
          settingName: '--compare-to',
          base: { available: false, why: 'no --base-dir, --base-start or --base-compose-file' },
        }),
      ),
    ).toThrow(
      '--compare-to "base" cannot measure the base here: no --base-dir, --base-start or --base-compose-file. Valid values: auto, baseline, base.',
    );
  });
});
