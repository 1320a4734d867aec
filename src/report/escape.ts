/**
 * Text from files (a baseline, a result: CPU model, OS, scenario, endpoint and baseline names) as
 * inert markdown for any place it is rendered: table cell, bullet or heading. A baseline in a pull
 * request is the author's to write, so nothing in it may link, mention, ping or format.
 *
 * - markdown punctuation is backslash-escaped: no link `[x](y)`, image, emphasis or code span;
 * - `|` becomes `&#124;` (a backslash would be doubled by a table cell's own escaping; GFM splits
 *   cells before entities are read), `<` `>` `&` become entities: no HTML, no entity tricks;
 * - `@` and `://` get a zero-width space: no mention, no autolink (GitHub's own escape, too);
 * - line breaks become spaces: no new block.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/\r\n?|\n/g, ' ')
      // Punctuation first: the entities below hold a "#" that must stay as it is.
      .replace(/[\\`*_{}[\]()#+!~]/g, '\\$&')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/\|/g, '&#124;')
      .replace(/@/g, '@&#8203;')
      .replace(/:\/\//g, ':&#8203;//')
  );
}

/**
 * Text from a file set as code (`name`): inside a code span nothing links or mentions, so only
 * what could end the span early (a backtick, a line break) is replaced.
 */
export function codeText(text: string): string {
  return `\`${text.replace(/\r\n?|\n/g, ' ').replace(/`/g, "'")}\``;
}

/** The most of a name from a file the terminal shows: a 10 MB name printed whole, twice. */
export const TERMINAL_NAME_CHARS = 200;

/**
 * Text from a file (a baseline's name, a runner's CPU model) for a terminal or a CI log: control
 * characters (ESC, BEL, a carriage return, C1 codes) become "?", so no escape sequence in a baseline
 * clears the screen, retitles the window or recolours the verdict, and line breaks become spaces,
 * so no line of it starts a workflow command (`::warning::`). Given `maxChars`, the text is cut to
 * that many characters, the last one "…".
 */
export function terminalText(text: string, maxChars = Infinity): string {
  const cut = text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
  return Array.from(cut.replace(/\r\n?|\n/g, ' '), (char) =>
    isControl(char.charCodeAt(0)) ? '?' : char,
  ).join('');
}

/** C0 controls, DEL and the C1 controls (a terminal reads U+009B as CSI). */
export function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}
