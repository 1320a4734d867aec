import { describe, expect, it } from 'vitest';
import { maskUrl, maskUrlsIn, redactUrls, urlPasswords } from './redact.js';

describe('maskUrl', () => {
  it('masks passwords and keeps the rest', () => {
    expect(maskUrl('redis://:s3cret@127.0.0.1:6379')).toBe('redis://:***@127.0.0.1:6379');
    expect(maskUrl('postgres://user:pw@db:5432/test')).toBe('postgres://user:***@db:5432/test');
    expect(maskUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(maskUrl('postgres://u:p@w@host/db')).not.toContain('p@w');
    expect(maskUrl('postgres://u:p%40ss@host/db')).toBe('postgres://u:***@host/db');
  });
});

describe('urlPasswords', () => {
  it('gives a percent-encoded password both as written and decoded', () => {
    expect(urlPasswords('postgres://u:p%40ss@db/x')).toEqual(['p%40ss', 'p@ss']);
    expect(urlPasswords('redis://:a%3Ab%2Fc@cache:6379')).toEqual(['a%3Ab%2Fc', 'a:b/c']);
  });

  it('gives an unencoded "@" as written and as the URL parser encodes it', () => {
    expect(urlPasswords('postgres://u:p@w@db/x')).toEqual(['p@w', 'p%40w']);
  });

  it('keeps a stray "%" as written and gives nothing for a URL without a password', () => {
    expect(urlPasswords('redis://:100%zz@cache')).toEqual(['100%zz']);
    expect(urlPasswords('redis://cache:6379')).toEqual([]);
    expect(urlPasswords('redis://user@cache:6379')).toEqual([]);
    expect(urlPasswords('not a url')).toEqual([]);
  });
});

describe('redactUrls', () => {
  it('masks the URL and every form of its password anywhere in a message', () => {
    const url = 'postgres://u:p%40ss@db/x';
    expect(
      redactUrls(`could not reach ${url}: password "p@ss" rejected for postgres://u:p%40ss@db`, [
        url,
        'redis://cache:6379',
      ]),
    ).toBe(
      'could not reach postgres://u:***@db/x: password "***" rejected for postgres://u:***@db',
    );
  });
});

describe('maskUrlsIn', () => {
  it('masks the password of every URL in a text, parseable or not, and nothing else', () => {
    expect(
      maskUrlsIn(
        "argument 'redis://:S3cret@[bad' is invalid; postgres://u:p@w@db/x and http://h:80/a@b",
      ),
    ).toBe("argument 'redis://:***@[bad' is invalid; postgres://u:***@db/x and http://h:80/a@b");
  });
});
