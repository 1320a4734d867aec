import { crc32 } from 'node:zlib';

/**
 * Event identity carried in the tx_hash, so the receiver needs no per-event table.
 *
 * 32 bytes: magic (4) | runId (8) | shard (2) | sequence (6) | intendedSendUs (6) | crc32 (4) | 0 (2)
 *
 * `intendedSendUs` is the event's slot on the global schedule (t0 + i/R) in monotonic microseconds
 * (see clock.ts): the receiver computes latency = receive time - intended send time with no
 * knowledge of the schedule's parameters, in this process or another one on the same host. The
 * crc rejects hashes that merely start with the magic.
 */
export const IDENTITY_MAGIC = 0xe740ad01;
const MAX_UINT48 = 2 ** 48 - 1;

export interface EventIdentity {
  /** 16 hex characters (8 bytes). */
  runId: string;
  shard: number;
  sequence: number;
  intendedSendUs: number;
}

const RUN_ID_PATTERN = /^[0-9a-f]{16}$/;

export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}

export function encodeTxHash(identity: EventIdentity): `0x${string}` {
  const { runId, shard, sequence, intendedSendUs } = identity;
  if (!isRunId(runId))
    throw new RangeError(`runId must be 16 lowercase hex characters, got "${runId}"`);
  if (!Number.isInteger(shard) || shard < 0 || shard > 0xffff)
    throw new RangeError(`shard out of range: ${shard}`);
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > MAX_UINT48) {
    throw new RangeError(`sequence out of range: ${sequence}`);
  }
  if (!Number.isInteger(intendedSendUs) || intendedSendUs < 0 || intendedSendUs > MAX_UINT48) {
    throw new RangeError(`intendedSendUs out of range: ${intendedSendUs}`);
  }
  const bytes = Buffer.alloc(32);
  bytes.writeUInt32BE(IDENTITY_MAGIC, 0);
  bytes.write(runId, 4, 'hex');
  bytes.writeUInt16BE(shard, 12);
  bytes.writeUIntBE(sequence, 14, 6);
  bytes.writeUIntBE(intendedSendUs, 20, 6);
  bytes.writeUInt32BE(crc32(bytes.subarray(0, 26)), 26);
  return `0x${bytes.toString('hex')}`;
}

/** Returns the identity, or null when the hash was not made by encodeTxHash (foreign or corrupt). */
export function decodeTxHash(txHash: string): EventIdentity | null {
  if (typeof txHash !== 'string' || txHash.length !== 66 || !txHash.startsWith('0x')) return null;
  const bytes = Buffer.from(txHash.slice(2), 'hex');
  if (bytes.length !== 32) return null;
  if (bytes.readUInt32BE(0) !== IDENTITY_MAGIC) return null;
  if (bytes.readUInt32BE(26) !== crc32(bytes.subarray(0, 26)) || bytes.readUInt16BE(30) !== 0)
    return null;
  return {
    runId: bytes.toString('hex', 4, 12),
    shard: bytes.readUInt16BE(12),
    sequence: bytes.readUIntBE(14, 6),
    intendedSendUs: bytes.readUIntBE(20, 6),
  };
}

export function newRunId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex');
}
