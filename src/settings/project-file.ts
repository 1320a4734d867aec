import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_PROJECT_FILE, FILE_KEYS, SETTINGS, type SettingKey } from './declaration.js';
import { parseSetting, SettingError, type Given } from './resolve.js';

/**
 * The project file: the system under test and the load stated once, as JSON, read by the action
 * and the CLI alike, so the check a pull request runs is one command on a laptop. Its keys are the
 * settings' own names (the same as the action's inputs and the CLI's long flags), derived from the
 * declaration; an input or a flag given as well wins over the file, and the file over the defaults.
 * Relative paths in it are relative to where the command runs (the action's working-directory),
 * as the same paths given as inputs or flags are.
 */

/** A value as JSON writes it; lists take an array (or one item as it is). */
const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** The file's shape, derived from the declaration: one optional key per file setting, no others. */
export const projectFileSchema = z
  .object(
    Object.fromEntries(
      FILE_KEYS.map((key) => [
        SETTINGS[key].name,
        (SETTINGS[key] as { list?: boolean }).list
          ? z.union([scalar, z.array(scalar)]).optional()
          : scalar.optional(),
      ]),
    ),
  )
  // A JSON schema reference, for editors; not a setting.
  .extend({ $schema: z.string().optional() })
  .strict();

const KEY_BY_NAME = new Map(FILE_KEYS.map((key) => [SETTINGS[key].name, key]));

export interface ProjectFile {
  /** As the user named it (or the default name), for messages. */
  shownPath: string;
  /** The settings it gives, each parsed by its declared kind. */
  given: Given;
}

/** A project file that cannot be read, or a key in it with a value outside its valid values. */
export class ProjectFileError extends SettingError {
  constructor(message: string, keys: readonly SettingKey[] = []) {
    super(message, keys);
    this.name = 'ProjectFileError';
  }
}

/** How a setting is named in a message when the file gave it: `key trials in ethhook-load-test.json`. */
export function fileLabel(shownPath: string, key: SettingKey): string {
  return `key ${SETTINGS[key].name} in ${shownPath}`;
}

/** Names the action's inputs and the CLI's flags had before they were unified, and their new ones. */
const RENAMED: Readonly<Record<string, string>> = {
  metrics: 'gate',
  'receiver-url': 'webhook-url',
  'sut-health-urls': 'sut-health-url',
  warmup: 'warmup-events',
  start: 'start-command',
  prepare: 'prepare-command',
};

function validKeys(): string {
  return [...KEY_BY_NAME.keys()].join(', ');
}

/** The settings a file's text gives; every error names the file, the key and the valid values. */
export function parseProjectFile(text: string, shownPath: string): ProjectFile {
  let document: unknown;
  try {
    // A byte-order mark (Notepad's UTF-8) is no part of the JSON: JSON.parse refused it, naming an
    // invisible character.
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ProjectFileError(
      `${shownPath} is not valid JSON (${error instanceof Error ? error.message : String(error)}). Expected an object such as {"compose-file": "compose.yml", "scenario": "quick"}.`,
    );
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ProjectFileError(
      `${shownPath} must hold a JSON object of settings, such as {"scenario": "quick"}.`,
    );
  }
  const checked = projectFileSchema.safeParse(document);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const renamed = issue.keys
        .filter((key) => RENAMED[key] !== undefined)
        .map((key) => `"${key}" is now "${RENAMED[key]}"`);
      const hint = renamed.length > 0 ? ` (${renamed.join(', ')})` : '';
      throw new ProjectFileError(
        `${shownPath}: unknown key ${issue.keys.map((key) => `"${key}"`).join(', ')}${hint}. Valid keys: ${validKeys()} (docs/settings.md).`,
      );
    }
    const name = String(issue.path[0]);
    const key = KEY_BY_NAME.get(name);
    const list = key !== undefined && (SETTINGS[key] as { list?: boolean }).list === true;
    throw new ProjectFileError(
      `${shownPath}: key ${name} must be ${list ? 'a text, a number, a boolean or an array of them' : 'a text, a number or a boolean'}.`,
      key ? [key] : [],
    );
  }
  const given: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(checked.data)) {
    const key = KEY_BY_NAME.get(name);
    if (key === undefined || raw === undefined) continue;
    const list = (SETTINGS[key] as { list?: boolean }).list === true;
    const items = Array.isArray(raw) ? raw : [raw];
    const values = items.map((item) => {
      const parsed = parseSetting(key, String(item), fileLabel(shownPath, key));
      if (parsed.ok) return parsed.value;
      throw new ProjectFileError(
        parsed.ownWords
          ? parsed.message
          : `${shownPath}: key ${name}: ${JSON.stringify(parsed.shown)}. ${parsed.message}`,
        [key],
      );
    });
    given[key] = list ? values : values[0];
  }
  return { shownPath, given: given as Given };
}

/**
 * Reads the project file: `named` when given (it must exist), else DEFAULT_PROJECT_FILE in `dir`
 * when there is one; null when neither.
 */
export function readProjectFile(
  named: string | undefined,
  dir: string,
  read: (file: string) => string | null = readTextIfExists,
): ProjectFile | null {
  const shownPath = named ?? DEFAULT_PROJECT_FILE;
  const text = read(path.resolve(dir, shownPath));
  if (text === null) {
    if (named === undefined) return null;
    throw new ProjectFileError(
      `The project file ${named} does not exist (looked for ${path.resolve(dir, named)}). Expected the path of a JSON file of settings, relative to ${dir}.`,
    );
  }
  return parseProjectFile(text, shownPath);
}

function readTextIfExists(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ProjectFileError(`cannot read the project file ${file}: ${String(error)}`);
  }
}

/**
 * How the SUT starts is one choice: a compose file or a start command given as an input or a
 * flag replaces the file's choice as a whole, rather than conflicting with it.
 */
const SUT_START: readonly SettingKey[] = ['composeFile', 'startCommand'];

/** `upper` (inputs or flags) laid over the file's settings: what was given wins. */
export function layered(upper: Given, lower: Given): Given {
  const given = (source: Given, key: SettingKey): boolean => source[key] !== undefined;
  const merged: Record<string, unknown> = { ...lower };
  if (SUT_START.some((key) => given(upper, key))) for (const key of SUT_START) delete merged[key];
  for (const [key, value] of Object.entries(upper)) if (value !== undefined) merged[key] = value;
  return merged as Given;
}
