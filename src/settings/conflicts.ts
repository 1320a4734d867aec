import type { SettingKey } from './declaration.js';

/**
 * Which settings apply only together, and which contradict each other: one table, by setting id
 * (not by flag or input name, which each surface spells its own way), so a setting renamed in
 * declaration.ts keeps its rules. Checked before anything starts; a setting that cannot apply is
 * refused instead of being ignored or waited out.
 */

/** `setting` applies only when one of `anyOf` is given too. */
export interface NeedsRule {
  setting: SettingKey;
  anyOf: readonly SettingKey[];
  why: string;
}

/** `settings` contradict each other: at most one of them. */
export interface ConflictRule {
  settings: readonly [SettingKey, SettingKey];
  why: string;
}

const STARTS_THE_SUT = ['startCommand', 'composeFile'] as const;
const NAMES_A_BASE = ['baseStart', 'baseComposeFile', 'baseDir'] as const;

export const NEEDS: readonly NeedsRule[] = [
  ...(['rounds', 'maxRounds', 'prepare', ...NAMES_A_BASE] as const).map((setting) => ({
    setting,
    anyOf: STARTS_THE_SUT,
    why: 'a paired A/B run starts the base and the head itself',
  })),
  ...(['rounds', 'maxRounds', 'prepare'] as const).map((setting) => ({
    setting,
    anyOf: NAMES_A_BASE,
    why: 'it applies to paired A/B rounds, which need a base',
  })),
  { setting: 'startLog', anyOf: STARTS_THE_SUT, why: 'it is the log of a SUT this run starts' },
  { setting: 'stallAtSec', anyOf: ['stallMs'], why: 'it says when the stall starts' },
  { setting: 'failStatus', anyOf: ['failRate'], why: 'it is the status of injected failures' },
];

export const CONFLICTS: readonly ConflictRule[] = [
  {
    settings: ['composeFile', 'startCommand'],
    why: 'the SUT runs either with Docker Compose or as a command',
  },
  {
    settings: ['baseStart', 'baseComposeFile'],
    why: 'the base runs either as a command or with Docker Compose',
  },
  {
    settings: ['baseStart', 'baseDir'],
    why: "a base tree runs the head's own start command from it; a base start command replaces that",
  },
  {
    settings: ['baseComposeFile', 'baseDir'],
    why: "a base tree runs the head's own compose files from it; base compose files replace them",
  },
];

/** Given: set to anything but nothing, an empty list or a switch left off. */
function isGiven(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  return !(Array.isArray(value) && value.length === 0);
}

/**
 * The first rule the given settings break, in words naming each setting as `nameOf` spells it
 * ("--rounds", "input rounds"); null when none is broken.
 */
export function combinationProblem(
  given: Partial<Record<SettingKey, unknown>>,
  nameOf: (key: SettingKey) => string,
): string | null {
  for (const { settings, why } of CONFLICTS) {
    if (settings.every((key) => isGiven(given[key]))) {
      const [first, second] = settings.map(nameOf);
      return `${first} and ${second} are both given; give one: ${why}`;
    }
  }
  for (const { setting, anyOf, why } of NEEDS) {
    if (isGiven(given[setting]) && !anyOf.some((key) => isGiven(given[key]))) {
      const needed = anyOf.map(nameOf);
      const list =
        needed.length === 1 ? needed[0] : `${needed.slice(0, -1).join(', ')} or ${needed.at(-1)}`;
      return `${nameOf(setting)} needs ${list}: ${why}`;
    }
  }
  return null;
}
