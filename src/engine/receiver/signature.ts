import * as crypto from 'node:crypto';

/**
 * EthHook signs each webhook with `X-Webhook-Signature: hex(HMAC-SHA256(hmac_secret, body))`, the
 * secret being the endpoint's `hmac_secret` taken as UTF-8 bytes and the body the exact bytes sent.
 *
 * The receiver checks every webhook, so the check is on its hot path: a crypto.createHmac per
 * request (a stream object, a native handle, the digest looked up by name) was a fifth of the
 * receiver's CPU per webhook in bench/receiver.ts. The check computes the same HMAC (RFC 2104:
 * H((K ^ opad) || H((K ^ ipad) || body))) from the key's two padded blocks, made once per
 * endpoint, with two one-shot SHA-256 calls; signature.test.ts pins it to createHmac.
 */

const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;

/** One-shot SHA-256 (crypto.hash, Node 20.12+), or a Hash object where it is missing. */
const sha256: (data: Buffer) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

/** An endpoint's secret, prepared once so the hot path neither encodes nor pads it again. */
export class SigningKey {
  readonly keyObject: crypto.KeyObject;
  /** The key block XOR ipad: the start of the inner hash's input. */
  readonly innerPad: Buffer;
  /** The key block XOR opad, then room for the inner digest: the outer hash's whole input. */
  readonly outerInput: Buffer;

  constructor(secret: Buffer) {
    this.keyObject = crypto.createSecretKey(secret);
    const block = Buffer.alloc(BLOCK_BYTES);
    (secret.length > BLOCK_BYTES ? sha256(secret) : secret).copy(block);
    this.innerPad = Buffer.alloc(BLOCK_BYTES);
    this.outerInput = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES);
    for (let i = 0; i < BLOCK_BYTES; i++) {
      this.innerPad[i] = block[i]! ^ 0x36;
      this.outerInput[i] = block[i]! ^ 0x5c;
    }
  }
}

export function signingKey(secret: string): SigningKey {
  return new SigningKey(Buffer.from(secret, 'utf8'));
}

export function signBody(secret: string | SigningKey, body: string | Buffer): string {
  const key = typeof secret === 'string' ? signingKey(secret) : secret;
  return crypto.createHmac('sha256', key.keyObject).update(body).digest('hex');
}

/** HMAC-SHA256 of `body` under `key`. The result is valid until the next call with this key. */
function hmac(key: SigningKey, body: Buffer): Buffer {
  const length = BLOCK_BYTES + body.length;
  if (innerInput.length < length)
    innerInput = Buffer.allocUnsafe(Math.max(length, innerInput.length * 2));
  key.innerPad.copy(innerInput, 0);
  body.copy(innerInput, BLOCK_BYTES);
  sha256(innerInput.subarray(0, length)).copy(key.outerInput, BLOCK_BYTES);
  return sha256(key.outerInput);
}

const SIGNATURE_HEX_LENGTH = DIGEST_BYTES * 2;
/** Reused per webhook: the decoded signature header, and the inner hash's input. */
const received = Buffer.alloc(DIGEST_BYTES);
let innerInput = Buffer.allocUnsafe(4096);

/** Constant-time check of a hex signature (either case) against the body; false when absent. */
export function verifySignature(
  key: SigningKey,
  body: Buffer,
  signatureHex: string | undefined,
): boolean {
  if (typeof signatureHex !== 'string' || signatureHex.length !== SIGNATURE_HEX_LENGTH)
    return false;
  // The write stops at the first character that is not hex, so a malformed header decodes short.
  if (received.write(signatureHex, 0, 'hex') !== DIGEST_BYTES) return false;
  return crypto.timingSafeEqual(received, hmac(key, body));
}
