import {
  ACTION_INPUT_KEYS,
  ACTION_KEYS,
  SETTINGS,
  settingOf,
  type SettingKey,
} from './declaration.js';
import { longFlag } from './resolve.js';

/**
 * action.yml's inputs and the settings table of docs/settings.md, written from the declaration so
 * they cannot drift from the code: `npm run settings:sync` rewrites both, and a test fails when
 * either differs.
 */

/** An input's default as action.yml writes it ('' = none; the runner passes '' then). */
export function actionDefault(key: SettingKey): string {
  const declared = settingOf(key);
  const value = declared.default;
  if (value === undefined)
    return declared.defaultText?.startsWith('${{') ? declared.defaultText : '';
  return Array.isArray(value) ? value.join('\n') : String(value);
}

/** action.yml's description: the input's words, and the computed default when there is one. */
export function actionDescription(key: SettingKey): string {
  const declared = settingOf(key);
  const words = declared.inputHelp ?? declared.help;
  const computed =
    declared.default === undefined &&
    declared.defaultText !== undefined &&
    !declared.defaultText.startsWith('${{');
  return computed ? `${words} Default: ${declared.defaultText}.` : words;
}

const WIDTH = 100;

function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** Quoted as Prettier does: single quotes, double when that saves escaping a single one. */
function quoted(text: string): string {
  if (text.includes("'") && !/["\\]/.test(text)) return `"${text}"`;
  return `'${text.replaceAll("'", "''")}'`;
}

/** The `inputs:` section of action.yml, as Prettier leaves it. */
export function renderActionInputs(): string {
  const lines = ['inputs:'];
  for (const key of ACTION_INPUT_KEYS) {
    const declared = settingOf(key);
    lines.push(`  ${declared.name}:`);
    const description = actionDescription(key);
    const oneLine = `    description: ${quoted(description)}`;
    if (oneLine.length <= WIDTH) lines.push(oneLine);
    else lines.push('    description: >-', ...wrap(description, '      '));
    const fallback = actionDefault(key);
    lines.push(`    default: ${fallback.startsWith('${{') ? fallback : quoted(fallback)}`);
  }
  return `${lines.join('\n')}\n`;
}

const cell = (text: string): string => text.replaceAll('|', '\\|');

/** Where a setting can be given: the file, an action input, a CLI flag. */
function whereGiven(key: SettingKey): string {
  const declared = settingOf(key);
  const places = [
    ...(declared.file !== false ? ['file'] : []),
    ...(declared.input ? ['input'] : []),
    ...(declared.flag !== null ? [`\`${longFlag(declared.flag)}\``] : []),
  ];
  const actionIgnores = !ACTION_KEYS.includes(key) && declared.file !== false;
  return `${places.join(', ')}${actionIgnores ? ' (CLI only)' : ''}`;
}

/** docs/settings.md's table: every setting, where it is given, its default and meaning. */
export function renderSettingsTable(): string {
  const rows = (Object.keys(SETTINGS) as SettingKey[]).map((key) => {
    const declared = settingOf(key);
    const fallback = actionDefault(key);
    const shown = fallback === '' ? (declared.defaultText ?? '') : `\`${fallback}\``;
    return [
      `\`${declared.name}\``,
      whereGiven(key),
      cell(shown.replaceAll('\n', ', ')),
      cell(declared.differs ? `${declared.help} ${declared.differs}` : declared.help),
    ];
  });
  const header = ['setting', 'given in', 'default', 'meaning'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]): string =>
    `| ${cells.map((text, column) => text.padEnd(widths[column]!)).join(' | ')} |`;
  return [
    line(header),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}

export const SETTINGS_TABLE_START =
  '<!-- settings: generated from src/settings by npm run settings:sync -->';
export const SETTINGS_TABLE_END = '<!-- end of settings -->';

/** Replaces action.yml's inputs section (from `inputs:` to the next top-level key). */
export function withActionInputs(actionYml: string): string {
  const start = actionYml.indexOf('\ninputs:\n');
  if (start < 0) throw new Error('action.yml has no inputs section');
  const rest = actionYml.slice(start + 1);
  const next = /\n(?=\S)/.exec(rest.slice('inputs:\n'.length));
  const end = next ? start + 1 + 'inputs:\n'.length + next.index + 1 : actionYml.length;
  return `${actionYml.slice(0, start + 1)}${renderActionInputs()}\n${actionYml.slice(end).replace(/^\n+/, '')}`;
}

/** Replaces docs/settings.md's table between its markers. */
export function withSettingsTable(doc: string): string {
  const start = doc.indexOf(SETTINGS_TABLE_START);
  const end = doc.indexOf(SETTINGS_TABLE_END);
  if (start < 0 || end < start) throw new Error('docs/settings.md has no settings table markers');
  return `${doc.slice(0, start)}${SETTINGS_TABLE_START}\n\n${renderSettingsTable()}\n\n${doc.slice(end)}`;
}
