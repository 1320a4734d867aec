/** Hides the password of a connection URL so it can be printed or logged. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/**
 * Every form in which a connection URL's password can reach a log line: as written, as the URL
 * parser encodes it, and percent-decoded (`p%40ss`, `p@ss`). A client library logs whichever
 * it holds, so masking one form lets the others through.
 */
export function urlPasswords(url: string): string[] {
  // The user information ends at the authority's last "@": an unencoded "@" in a password is
  // tolerated by URL parsers, so it must not cut the password short here either.
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url)?.[1] ?? '';
  const written = userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : '';
  const forms = [written];
  try {
    forms.push(new URL(url).password);
  } catch {
    // Not a URL: only the form as written exists.
  }
  for (const form of [...forms]) {
    try {
      forms.push(decodeURIComponent(form));
    } catch {
      // A stray "%" that starts no escape: the form as written is all there is.
    }
  }
  return [...new Set(forms.filter((form) => form !== ''))];
}

/**
 * A message with the connection URLs masked and every form of their passwords replaced, for
 * messages that leave the process without the runner's own masking (CLI output, error titles).
 */
export function redactUrls(message: string, urls: readonly string[]): string {
  let text = message;
  for (const url of urls) text = text.replaceAll(url, maskUrl(url));
  const passwords = urls.flatMap(urlPasswords).sort((a, b) => b.length - a.length);
  for (const password of passwords) text = text.replaceAll(password, '***');
  return text;
}

/**
 * Every `scheme://user:password@` in a text with its password masked, for text that holds URLs
 * nobody listed (commander echoing an argument it refused, whatever its shape).
 */
export function maskUrlsIn(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/:@'"]*:)[^\s/'"]*@/gi, '$1***@');
}
