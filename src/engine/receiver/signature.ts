import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * EthHook signs each webhook with `X-Webhook-Signature: hex(HMAC-SHA256(hmac_secret, body))`, the
 * secret being the endpoint's `hmac_secret` taken as UTF-8 bytes and the body the exact bytes sent.
 */
export type SigningKey = KeyObject;

/** Prepared once per endpoint so the hot path does not re-encode the secret for every request. */
export function signingKey(secret: string): SigningKey {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

export function signBody(secret: string | SigningKey, body: string | Buffer): string {
  const key = typeof secret === 'string' ? signingKey(secret) : secret;
  return createHmac('sha256', key).update(body).digest('hex');
}

const SIGNATURE_HEX_LENGTH = 64;
const received = Buffer.alloc(SIGNATURE_HEX_LENGTH / 2);

/** Constant-time check of a hex signature (either case) against the body; false when absent. */
export function verifySignature(
  key: SigningKey,
  body: Buffer,
  signatureHex: string | undefined,
): boolean {
  if (typeof signatureHex !== 'string' || signatureHex.length !== SIGNATURE_HEX_LENGTH)
    return false;
  // Decoded into a reused buffer (once per webhook); the write stops at the first character that
  // is not hex, so a malformed header decodes short.
  if (received.write(signatureHex, 0, 'hex') !== SIGNATURE_HEX_LENGTH / 2) return false;
  const expected = createHmac('sha256', key).update(body).digest();
  return timingSafeEqual(received, expected);
}
