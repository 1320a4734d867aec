import { describe, expect, it } from 'vitest';
import { decodeTxHash, encodeTxHash, isRunId, newRunId } from './identity.js';

describe('tx_hash identity', () => {
  it('round-trips run id, shard, sequence and intended send time exactly', () => {
    const cases = [
      { runId: '0000000000000000', shard: 0, sequence: 0, intendedSendUs: 0 },
      {
        runId: 'ffffffffffffffff',
        shard: 65535,
        sequence: 2 ** 48 - 1,
        intendedSendUs: 2 ** 48 - 1,
      },
      { runId: newRunId(), shard: 7, sequence: 123_456_789, intendedSendUs: 987_654_321_012 },
    ];
    for (const identity of cases) {
      const hash = encodeTxHash(identity);
      expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(decodeTxHash(hash)).toEqual(identity);
    }
  });

  it('rejects hashes it did not make, and corrupted ones', () => {
    const hash = encodeTxHash({
      runId: 'abcdefabcdefabcd',
      shard: 1,
      sequence: 5,
      intendedSendUs: 10,
    });
    expect(decodeTxHash(`0x${'ab'.repeat(32)}`)).toBeNull();
    const flipped = hash.slice(0, 40) + (hash[40] === '0' ? '1' : '0') + hash.slice(41);
    expect(decodeTxHash(flipped)).toBeNull();
    expect(decodeTxHash(hash.slice(0, 64))).toBeNull();
    expect(decodeTxHash('not a hash')).toBeNull();
  });

  it('refuses identities that do not fit', () => {
    expect(() => encodeTxHash({ runId: 'xyz', shard: 0, sequence: 0, intendedSendUs: 0 })).toThrow(
      /runId/,
    );
    expect(() =>
      encodeTxHash({ runId: '0123456789abcdef', shard: 70000, sequence: 0, intendedSendUs: 0 }),
    ).toThrow(/shard/);
    expect(() =>
      encodeTxHash({ runId: '0123456789abcdef', shard: 0, sequence: -1, intendedSendUs: 0 }),
    ).toThrow(/sequence/);
  });

  it('makes distinct random run ids', () => {
    const a = newRunId();
    expect(isRunId(a)).toBe(true);
    expect(newRunId()).not.toBe(a);
  });
});
