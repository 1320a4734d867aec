import type { CompareTo } from '../settings/compare-to.js';

/**
 * What a check compares the head with. The base commit measured here, in alternating rounds on
 * this runner, compares two commits on one machine: it is the reference whenever the base can be
 * started. The committed baseline compares this runner with the nights it was measured on; it is
 * the reference when the SUT is not started by the check (services already running) or when
 * asked for, and the judge then reads the noise of its nights.
 */

export interface ReferenceFacts {
  compareTo: CompareTo;
  /** How the setting is written where the user set it: `compare-to` or `--compare-to`. */
  settingName: string;
  /** Whether a committed baseline file exists. */
  hasBaseline: boolean;
  /** Whether the base can be measured here (the SUT is started, a base exists); else why not. */
  base: { available: true } | { available: false; why: string };
}

export type Reference = 'base' | 'baseline' | 'none';

export interface ReferenceChoice {
  reference: Reference;
  /** For the report: "compare-to auto: the base commit, measured on this runner". */
  why: string;
}

export class ReferenceChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReferenceChoiceError';
  }
}

export function chooseReference(facts: ReferenceFacts): ReferenceChoice {
  const setting = `${facts.settingName} ${facts.compareTo}`;
  const { base } = facts;
  switch (facts.compareTo) {
    case 'baseline':
      return facts.hasBaseline
        ? { reference: 'baseline', why: `${setting}: the committed baseline, as asked` }
        : { reference: 'none', why: `${setting}: there is no committed baseline yet` };
    case 'base':
      if (!base.available) {
        throw new ReferenceChoiceError(
          `${facts.settingName} "base" cannot measure the base here: ${base.why}. Valid values: auto, baseline, base.`,
        );
      }
      return { reference: 'base', why: `${setting}: the base commit, measured on this runner` };
    case 'auto':
      if (base.available) {
        return { reference: 'base', why: `${setting}: the base commit, measured on this runner` };
      }
      return facts.hasBaseline
        ? {
            reference: 'baseline',
            why: `${setting}: the committed baseline, as the base cannot be measured here (${base.why})`,
          }
        : {
            reference: 'none',
            why: `${setting}: no reference: the base cannot be measured here (${base.why}) and there is no committed baseline`,
          };
  }
}
