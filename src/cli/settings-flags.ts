import { InvalidArgumentError, Option, type Command } from 'commander';
import { settingOf, SETTINGS, type SettingKey } from '../settings/declaration.js';
import { longFlag, parseSetting } from '../settings/resolve.js';

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
  const declared = SETTINGS[key];
  if (declared.flag === null) throw new Error(`setting ${key} is not a CLI flag`);
  const isSwitch = !declared.flag.includes('<');
  const fallback =
    own.defaultText !== undefined ? own.defaultText : isSwitch ? null : defaultHelp(key);
  const text = `${(own.help ?? declared.help).replace(/\.$/, '')}${declared.list ? ' (repeatable)' : ''}`;
  const option = new Option(declared.flag, fallback ? `${text} (default: ${fallback})` : text);
  // The parsed value lands under the setting's own key (`--start` -> startCommand), so commander's
  // result is the settings layer's `Given` as it is.
  option.attributeName = () => key;
  if (!option.required) return option;
  const label = longFlag(declared.flag);
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

/** Adds the declared settings' flags to a command, in the order given. */
export function addSettingFlags(command: Command, keys: readonly SettingKey[]): Command {
  for (const key of keys) command.addOption(settingOption(key));
  return command;
}
