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

/** Reused: encoding runs once per published event, on the publisher's hot path. */
const scratch = Buffer.alloc(32);
const checksummed = scratch.subarray(0, 26);
let cachedRunId = '';

function validate(identity: EventIdentity): void {
  const { runId, shard, sequence, intendedSendUs } = identity;
  if (runId !== cachedRunId && !isRunId(runId)) {
    throw new RangeError(`runId must be 16 lowercase hex characters, got "${runId}"`);
  }
  if (!Number.isInteger(shard) || shard < 0 || shard > 0xffff)
    throw new RangeError(`shard out of range: ${shard}`);
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > MAX_UINT48) {
    throw new RangeError(`sequence out of range: ${sequence}`);
  }
  if (!Number.isInteger(intendedSendUs) || intendedSendUs < 0 || intendedSendUs > MAX_UINT48) {
    throw new RangeError(`intendedSendUs out of range: ${intendedSendUs}`);
  }
}

export function encodeTxHash(identity: EventIdentity): `0x${string}` {
  validate(identity);
  if (identity.runId !== cachedRunId) {
    scratch.writeUInt32BE(IDENTITY_MAGIC, 0);
    scratch.write(identity.runId, 4, 'hex');
    cachedRunId = identity.runId;
  }
  scratch.writeUInt16BE(identity.shard, 12);
  scratch.writeUIntBE(identity.sequence, 14, 6);
  scratch.writeUIntBE(identity.intendedSendUs, 20, 6);
  scratch.writeUInt32BE(crc32(checksummed), 26);
  scratch.writeUInt16BE(0, 30);
  return `0x${scratch.toString('hex')}`;
}

const decodeScratch = Buffer.alloc(32);
const decodeChecksummed = decodeScratch.subarray(0, 26);

/** Returns the identity, or null when the hash was not made by encodeTxHash (foreign or corrupt). */
export function decodeTxHash(txHash: string): EventIdentity | null {
  if (typeof txHash !== 'string' || txHash.length !== 66 || !txHash.startsWith('0x')) return null;
  // Decoded into a reused buffer: this runs once per webhook, on the receiver's hot path. The
  // write stops at the first character that is not hex, so a corrupt hash decodes short.
  const bytes = decodeScratch;
  if (bytes.write(txHash.slice(2), 0, 'hex') !== 32) return null;
  if (bytes.readUInt32BE(0) !== IDENTITY_MAGIC) return null;
  if (bytes.readUInt32BE(26) !== crc32(decodeChecksummed) || bytes.readUInt16BE(30) !== 0)
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
