import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody, signingKey, verifySignature } from './signature.js';

describe('webhook signatures', () => {
  const body = Buffer.from('{"transaction_hash":"0x00"}');
  const key = signingKey('s3cret');

  it('is hex HMAC-SHA256 of the raw body keyed by the UTF-8 secret', () => {
    const expected = createHmac('sha256', 's3cret').update(body).digest('hex');
    expect(signBody('s3cret', body)).toBe(expected);
    expect(signBody(key, body.toString())).toBe(expected);
  });

  it('verifies in either hex case and rejects anything else', () => {
    const signature = signBody('s3cret', body);
    expect(verifySignature(key, body, signature)).toBe(true);
    expect(verifySignature(key, body, signature.toUpperCase())).toBe(true);
    expect(verifySignature(key, Buffer.from(`${body} `), signature)).toBe(false);
    expect(verifySignature(signingKey('other'), body, signature)).toBe(false);
    expect(verifySignature(key, body, undefined)).toBe(false);
    expect(verifySignature(key, body, '')).toBe(false);
    expect(verifySignature(key, body, signature.slice(0, 62))).toBe(false);
    expect(verifySignature(key, body, `${signature.slice(0, 62)}zz`)).toBe(false);
    expect(verifySignature(key, body, `sha256=${signature}`)).toBe(false);
  });
});

describe('verifySignature computes the HMAC createHmac computes', () => {
  it('for secrets shorter than, as long as and longer than a block, and bodies of any length', () => {
    for (const secretChars of [1, 17, 63, 64, 65, 200]) {
      const secret = 'k'.repeat(secretChars - 1) + 'é'.slice(0, secretChars > 1 ? 1 : 0);
      const key = signingKey(secret);
      for (const bodyBytes of [0, 1, 55, 56, 64, 609, 5000]) {
        const body = Buffer.alloc(bodyBytes, bodyBytes % 251);
        const expected = createHmac('sha256', Buffer.from(secret, 'utf8'))
          .update(body)
          .digest('hex');
        expect(
          verifySignature(key, body, expected),
          `${secretChars}-character key, ${bodyBytes} B body`,
        ).toBe(true);
        expect(verifySignature(key, Buffer.concat([body, Buffer.from('x')]), expected)).toBe(false);
      }
    }
  });
});
