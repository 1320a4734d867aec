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
