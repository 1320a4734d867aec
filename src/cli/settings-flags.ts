import { InvalidArgumentError, Option, type Command } from 'commander';
import { FILE_KEYS, settingOf, type SettingKey } from '../settings/declaration.js';
import { readProjectFile } from '../settings/project-file.js';
import { longFlag, parseSetting, SettingError } from '../settings/resolve.js';
import { UserError } from './errors.js';

/** How the help shows a setting's default. */
function defaultHelp(key: SettingKey): string | null {
  const declared = settingOf(key);
  const fallback =
    declared.defaultText ??
    (declared.default === undefined ||
    (Array.isArray(declared.default) && declared.default.length === 0)
      ? null
      : String(declared.default));
  if (declared.env) return `$${declared.env}, else ${fallback}`;
  return fallback;
}

/**
 * The commander option of a declared setting: its flag, help and default text, and a parser that
 * checks the value with the declaration's kind. commander turns a parser's InvalidArgumentError
 * into "error: option '-r, --rate <n>' argument 'fast' is invalid. Expected a number of 0 or more."
 * No default is given to commander: src/settings applies the declared one, the same for the
 * action, so `flags[key] === undefined` means "not given" everywhere.
 */
export function settingOption(
  key: SettingKey,
  /** A command's own words, where the flag means a little more there (`quickstart --baseline`). */
  own: { help?: string; defaultText?: string | null } = {},
): Option {
  const declared = settingOf(key);
  if (declared.flag === null) throw new Error(`setting ${key} is not a CLI flag`);
  const isSwitch = !declared.flag.includes('<');
  const fallback =
    own.defaultText !== undefined ? own.defaultText : isSwitch ? null : defaultHelp(key);
  const text = `${(own.help ?? declared.help).replace(/\.$/, '')}${declared.list ? ' (repeatable)' : ''}`;
  return withParser(
    key,
    new Option(declared.flag, fallback ? `${text} (default: ${fallback})` : text),
    longFlag(declared.flag),
  );
}

/** The setting's earlier flag names, hidden from --help, parsed into the same key. */
function aliasOptions(key: SettingKey): Option[] {
  const declared = settingOf(key);
  const value = declared.flag?.match(/ <[^>]+>$/)?.[0] ?? '';
  return (declared.aliases ?? []).map((alias) =>
    withParser(key, new Option(`${alias}${value}`).hideHelp(), alias),
  );
}

function withParser(key: SettingKey, option: Option, label: string): Option {
  const declared = settingOf(key);
  // The parsed value lands under the setting's own key (`--start-command` -> startCommand), so
  // commander's result is the settings layer's `Given` as it is.
  option.attributeName = () => key;
  if (!option.required) return option;
  const parse = (raw: string): unknown => {
    const parsed = parseSetting(key, raw, label);
    if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
    return parsed.value;
  };
  return declared.list
    ? option.argParser((raw: string, previous: unknown[] | undefined) => [
        ...(previous ?? []),
        parse(raw),
      ])
    : option.argParser(parse);
}

/** Adds the declared settings' flags to a command, in the order given (and their old names). */
export function addSettingFlags(command: Command, keys: readonly SettingKey[]): Command {
  for (const key of keys) {
    command.addOption(settingOption(key));
    for (const alias of aliasOptions(key)) command.addOption(alias);
  }
  return command;
}

/**
 * --config: before the command runs, the project file (named, else ethhook-load-test.json in the
 * current directory when there is one) fills in every flag of the command the command line did not
 * give. Flags win over the file, the file over $REDIS_URL/$DATABASE_URL and the defaults.
 */
export function addConfigFlag(command: Command, dir: () => string = () => process.cwd()): Command {
  command.addOption(settingOption('config'));
  return command.hook('preAction', (hooked) => {
    const named = hooked.getOptionValue('config') as string | undefined;
    let file;
    try {
      file = readProjectFile(named, dir());
    } catch (error) {
      if (error instanceof SettingError) throw new UserError(error.message);
      throw error;
    }
    if (!file) return;
    const own = new Set(hooked.options.map((option) => option.attributeName()));
    for (const key of FILE_KEYS) {
      const value = file.given[key];
      if (value === undefined || !own.has(key)) continue;
      if (hooked.getOptionValueSource(key) === 'cli') continue;
      hooked.setOptionValueWithSource(key, value, 'config');
    }
  });
}
