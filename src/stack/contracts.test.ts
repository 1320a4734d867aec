import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { EVENT_SIGNATURES, LOAD_TEST_ENDPOINTS, TOPIC0, type EventName } from './contracts.js';

const keccakHex = (text: string): string =>
  Buffer.from(keccak_256(new TextEncoder().encode(text))).toString('hex');

/** EIP-55: a hex letter is upper case when the matching nibble of keccak256(lower-case hex) is >= 8. */
function checksumAddress(address: string): string {
  const lower = address.slice(2).toLowerCase();
  const hash = keccakHex(lower);
  const letters = [...lower].map((char, i) =>
    Number.parseInt(hash[i]!, 16) >= 8 ? char.toUpperCase() : char,
  );
  return `0x${letters.join('')}`;
}

describe('contract constants', () => {
  it('holds keccak256 of each canonical signature as its topics[0]', () => {
    for (const [name, signature] of Object.entries(EVENT_SIGNATURES)) {
      expect(TOPIC0[name as EventName]).toBe(`0x${keccakHex(signature)}`);
    }
  });

  it('checksums every seeded address (EIP-55)', () => {
    // The EIP's own example pins the checksum rule itself.
    expect(checksumAddress('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed')).toBe(
      '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    );
    for (const endpoint of LOAD_TEST_ENDPOINTS) {
      expect(endpoint.contract).toBe(checksumAddress(endpoint.contract));
    }
  });
});
