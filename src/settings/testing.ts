/**
 * For tests that give the action its settings by name, as workflows did when every setting was an
 * input: the names that are still inputs, and the others as the project file's keys. Imported by
 * tests only; the entry points never reach this module, so it is not in the bundle.
 */
import { ACTION_INPUT_KEYS, SETTINGS } from './declaration.js';

const INPUT_NAMES = new Set(ACTION_INPUT_KEYS.map((key) => SETTINGS[key].name));

export function splitInputs(settings: Record<string, string>): {
  inputs: Record<string, string>;
  /** The project file's settings; null when every setting given is an input. */
  file: Record<string, string> | null;
} {
  const inputs: Record<string, string> = {};
  const file: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings)) {
    if (INPUT_NAMES.has(name)) inputs[name] = value;
    // '' is "not given", as for an input.
    else if (value !== '') file[name] = value;
  }
  return { inputs, file: Object.keys(file).length > 0 ? file : null };
}
