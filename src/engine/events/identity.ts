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

/** CRC-32 (IEEE, the one zlib computes) byte table, for TxHashWriter's checksum in JavaScript. */
const CRC_TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c;
}
/** ASCII codes of the lowercase hex digits. */
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** The two hex digits of every byte, high then low: one lookup per digit, no shift or mask. */
const HEX_HIGH = Uint8Array.from({ length: 256 }, (_, byte) => HEX_DIGITS[byte >>> 4]!);
const HEX_LOW = Uint8Array.from({ length: 256 }, (_, byte) => HEX_DIGITS[byte & 0xf]!);

/**
 * Writes the text of encodeTxHash() straight into an output buffer, for the publisher's encoder:
 * no string, no native call per event. The magic and run id are the same for every event of a run,
 * so their hex and their share of the checksum are computed once; per event only the 14 bytes of
 * shard, sequence and intended send time are turned into hex and folded into the CRC-32.
 */
export class TxHashWriter {
  /** `0x` and the hex of magic and run id: the first 26 characters of every hash of the run. */
  readonly head: Buffer;
  /** zlib's crc32 state after the magic and the run id. */
  private readonly headCrc: number;
  private readonly bytes = new Uint8Array(14);

  constructor(readonly runId: string) {
    if (!isRunId(runId)) {
      throw new RangeError(`runId must be 16 lowercase hex characters, got "${runId}"`);
    }
    const start = Buffer.alloc(12);
    start.writeUInt32BE(IDENTITY_MAGIC, 0);
    start.write(runId, 4, 'hex');
    this.head = Buffer.from(`0x${start.toString('hex')}`, 'latin1');
    this.headCrc = crc32(start);
  }

  /** Writes the 66 characters at `offset`; returns the offset after them. */
  write(
    target: Uint8Array,
    offset: number,
    shard: number,
    sequence: number,
    intendedSendUs: number,
  ): number {
    target.set(this.head, offset);
    return this.writeTail(target, offset + this.head.length, shard, sequence, intendedSendUs);
  }

  /**
   * Writes the 40 characters that follow `head` at `offset`, for a writer that has copied the
   * head with other constant bytes; returns the offset after them.
   */
  writeTail(
    target: Uint8Array,
    offset: number,
    shard: number,
    sequence: number,
    intendedSendUs: number,
  ): number {
    if (!(shard >= 0 && shard <= 0xffff && Number.isInteger(shard))) {
      throw new RangeError(`shard out of range: ${shard}`);
    }
    if (!(sequence >= 0 && sequence <= MAX_UINT48 && Number.isInteger(sequence))) {
      throw new RangeError(`sequence out of range: ${sequence}`);
    }
    if (!(
      intendedSendUs >= 0 &&
      intendedSendUs <= MAX_UINT48 &&
      Number.isInteger(intendedSendUs)
    )) {
      throw new RangeError(`intendedSendUs out of range: ${intendedSendUs}`);
    }
    const bytes = this.bytes;
    bytes[0] = shard >>> 8;
    bytes[1] = shard & 0xff;
    putUint48(bytes, 2, sequence);
    putUint48(bytes, 8, intendedSendUs);
    let at = offset;
    let crc = ~this.headCrc;
    for (let i = 0; i < 14; i++) {
      const byte = bytes[i]!;
      crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
      target[at++] = HEX_HIGH[byte]!;
      target[at++] = HEX_LOW[byte]!;
    }
    crc = ~crc;
    for (let shift = 24; shift >= 0; shift -= 8) {
      const byte = (crc >>> shift) & 0xff;
      target[at++] = HEX_HIGH[byte]!;
      target[at++] = HEX_LOW[byte]!;
    }
    // The two zero bytes at the end.
    target[at] = 0x30;
    target[at + 1] = 0x30;
    target[at + 2] = 0x30;
    target[at + 3] = 0x30;
    return at + 4;
  }
}

function putUint48(bytes: Uint8Array, at: number, value: number): void {
  const high = Math.floor(value / 2 ** 32);
  const low = value >>> 0;
  bytes[at] = high >>> 8;
  bytes[at + 1] = high & 0xff;
  bytes[at + 2] = low >>> 24;
  bytes[at + 3] = (low >>> 16) & 0xff;
  bytes[at + 4] = (low >>> 8) & 0xff;
  bytes[at + 5] = low & 0xff;
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
