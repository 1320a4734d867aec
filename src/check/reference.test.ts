import { describe, expect, it } from 'vitest';
import { chooseReference, type ReferenceFacts } from './reference.js';

const facts = (overrides: Partial<ReferenceFacts>): ReferenceFacts => ({
  compareTo: 'auto',
  settingName: 'compare-to',
  hasBaseline: true,
  base: { available: true },
  ...overrides,
});

describe('chooseReference', () => {
  it('auto: the base whenever it can be measured, a baseline or not', () => {
    expect(chooseReference(facts({})).reference).toBe('base');
    expect(chooseReference(facts({ hasBaseline: false })).reference).toBe('base');
  });

  it('auto: else the committed baseline, naming why the base could not be measured', () => {
    expect(
      chooseReference(facts({ base: { available: false, why: 'not a pull request' } })),
    ).toEqual({
      reference: 'baseline',
      why: 'compare-to auto: the committed baseline, as the base cannot be measured here (not a pull request)',
    });
  });

  it('auto with neither: no reference, and why', () => {
    const choice = chooseReference(
      facts({ hasBaseline: false, base: { available: false, why: 'no --start' } }),
    );
    expect(choice.reference).toBe('none');
    expect(choice.why).toContain('no --start');
  });

  it('base: refused with the reason when the base cannot be measured', () => {
    expect(() =>
      chooseReference(
        facts({ compareTo: 'base', base: { available: false, why: 'not a pull request' } }),
      ),
    ).toThrow(
      'compare-to "base" cannot measure the base here: not a pull request. Valid values: auto, baseline, base.',
    );
  });

  it('baseline: the committed baseline even when the base could be measured', () => {
    expect(chooseReference(facts({ compareTo: 'baseline' })).reference).toBe('baseline');
    expect(chooseReference(facts({ compareTo: 'baseline', hasBaseline: false })).reference).toBe(
      'none',
    );
  });
});
