import type { EventGenerator } from '../events/generator.js';
import { TxHashWriter } from '../events/identity.js';

/**
 * Encodes the publisher's XADDs as RESP, a batch at a time, straight from the generator's parts.
 *
 * An event's command is mostly bytes that some other event already had: the command prefix and
 * chain_id never change, block_number, block_hash and timestamp change once a block, and contract,
 * topics and data come from one of a few hundred shapes. Those parts are encoded once, as RESP
 * bytes, and each event copies them into the batch; only tx_hash and log_index are written per
 * event. Encoding each command as a string first (`'$' + length + '\r\n' + field ...` and a UTF-8
 * write per event) took a fifth of the publisher's time.
 *
 * The bytes are those of `XADD <prefix args> <generator.build(...)>` encoded field by field with
 * exact UTF-8 byte lengths (pinned by xadd-encoder.test.ts against the field-by-field encoding).
 */
export class XaddBatchEncoder {
  private readonly generator: EventGenerator;
  private readonly txHash: TxHashWriter;
  /** `*<argc>`, the prefix args, chain_id and the block_number name. */
  private readonly head: Buffer;
  /** Per shape: contract, topics and data with their names, then the timestamp name. */
  private readonly shapes: Buffer[];
  private readonly logsPerBlock: number;

  /** The block whose parts are cached, and its parts. */
  private blockOffset = -1;
  /**
   * The head, block_number's value, block_hash, tx_hash's name and length header and the start
   * of its value that is the same for the whole run (TxHashWriter.head): rewritten
   * in place for each block (`blockPart` is the written part of `blockMemory`).
   */
  private blockMemory: Buffer = Buffer.alloc(0);
  private blockPart: Buffer = Buffer.alloc(0);
  /** timestamp's value, the same way. */
  private readonly timestampMemory = Buffer.alloc(32);
  private timestampPart: Buffer = Buffer.alloc(0);

  private buffer: Buffer;
  private length = 0;
  private readonly spare: Buffer[] = [];

  constructor(prefixArgs: readonly string[], generator: EventGenerator, initialBytes = 64 * 1024) {
    this.generator = generator;
    this.logsPerBlock = generator.logsPerBlock;
    this.txHash = new TxHashWriter(generator.runId);
    const sample = generator.build(0, 0, 0);
    this.head = Buffer.from(
      `*${prefixArgs.length + sample.length}\r\n` +
        bulk(prefixArgs) +
        bulk(['chain_id', sample[1]!, 'block_number']),
      'utf8',
    );
    this.shapes = generator
      .shapePayloads()
      .map(({ contract, topics, data }) =>
        Buffer.from(
          bulk(['contract', contract, 'topics', topics, 'data', data, 'timestamp']),
          'utf8',
        ),
      );
    this.buffer = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** Appends the XADD of event `sequence`, published by `shard`, due at `intendedSendUs`. */
  add(sequence: number, shard: number, intendedSendUs: number): void {
    const blockOffset = Math.floor(sequence / this.logsPerBlock);
    if (blockOffset !== this.blockOffset) this.cacheBlock(sequence, blockOffset);
    const shape = this.shapes[this.generator.shapeOf(sequence)]!;
    const logIndex = sequence - blockOffset * this.logsPerBlock;
    // tx_hash is 66 bytes, log_index with its name and value at most 48.
    this.reserve(this.blockPart.length + 66 + 48 + shape.length + this.timestampPart.length);
    const buffer = this.buffer;
    let at = this.length;
    buffer.set(this.blockPart, at);
    at += this.blockPart.length;
    at = this.txHash.writeTail(buffer, at, shard, sequence, intendedSendUs);
    buffer.set(LOG_INDEX_NAME, at);
    at += LOG_INDEX_NAME.length;
    at = writeBulkNumber(buffer, at, logIndex);
    buffer.set(shape, at);
    at += shape.length;
    buffer.set(this.timestampPart, at);
    this.length = at + this.timestampPart.length;
  }

  /**
   * Hands over the encoded batch and starts a new one. The batch's memory is the caller's until it
   * gives it back with recycle(), once the socket has flushed it.
   */
  take(): Buffer {
    const batch = this.buffer.subarray(0, this.length);
    const next = this.spare.pop();
    // Sized like this batch, so a steady run neither grows nor reallocates.
    this.buffer = next ?? Buffer.allocUnsafeSlow(Math.max(2048, this.length + (this.length >> 2)));
    this.length = 0;
    return batch;
  }

  /**
   * Takes back the memory of a batch from take() that the socket no longer needs. Reusing it
   * spares the allocation of a fresh batch buffer (tens of kB) per write, and the garbage
   * collections that many of them cause.
   */
  recycle(batch: Buffer): void {
    if (this.spare.length < MAX_SPARE_BUFFERS) {
      // Each batch buffer is a whole ArrayBuffer of its own (allocUnsafeSlow, never the pool).
      this.spare.push(Buffer.from(batch.buffer, 0, batch.buffer.byteLength));
    }
  }

  /** Rewrites the block's parts in place: a new block comes every few events. */
  private cacheBlock(sequence: number, blockOffset: number): void {
    const { blockNumber, blockHash, timestampSec } = this.generator.blockOf(sequence);
    this.blockOffset = blockOffset;
    // Decimal and hex fields: at most 24 bytes of number, and the hash with its 8 of framing.
    const needed = this.head.length + 24 + BLOCK_HASH_NAME.length + blockHash.length + 8 + 64;
    if (this.blockMemory.length < needed) this.blockMemory = Buffer.allocUnsafeSlow(needed * 2);
    const part = this.blockMemory;
    part.set(this.head, 0);
    let at = writeBulkNumber(part, this.head.length, blockNumber);
    part.set(BLOCK_HASH_NAME, at);
    at = writeBulkAscii(part, at + BLOCK_HASH_NAME.length, blockHash);
    part.set(TX_HASH_NAME, at);
    at += TX_HASH_NAME.length;
    part.set(this.txHash.head, at);
    this.blockPart = part.subarray(0, at + this.txHash.head.length);
    this.timestampPart = this.timestampMemory.subarray(
      0,
      writeBulkNumber(this.timestampMemory, 0, timestampSec),
    );
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** Batch buffers kept for reuse; enough for every lane's write in flight at rate 0. */
const MAX_SPARE_BUFFERS = 64;

/** The RESP bulk strings of `args`, with UTF-8 byte lengths. */
function bulk(args: readonly string[]): string {
  let out = '';
  for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return out;
}

/** The end of tx_hash's value and log_index's name. */
const LOG_INDEX_NAME = Buffer.from('\r\n' + bulk(['log_index']), 'latin1');
const BLOCK_HASH_NAME = Buffer.from(bulk(['block_hash']), 'latin1');
const TX_HASH_NAME = Buffer.from(bulk(['tx_hash']) + '$66\r\n', 'latin1');

/** Writes `$<length>\r\n<value>\r\n` for a number, in decimal as String() writes it. */
function writeBulkNumber(target: Buffer, offset: number, value: number): number {
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    return writeBulkAscii(target, offset, String(value));
  }
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let at = writeLengthHeader(target, offset, digits);
  let rest = value;
  for (let i = digits - 1; i >= 0; i--) {
    target[at + i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  at += digits;
  target[at++] = 0x0d;
  target[at++] = 0x0a;
  return at;
}

/** Writes `$<length>\r\n<value>\r\n` for an ASCII string (digits, hex, a sign, a dot). */
function writeBulkAscii(target: Buffer, offset: number, value: string): number {
  const at = writeLengthHeader(target, offset, value.length);
  target.write(value, at, 'latin1');
  target[at + value.length] = 0x0d;
  target[at + value.length + 1] = 0x0a;
  return at + value.length + 2;
}

/** `$<length>\r\n` for a length below 100. */
function writeLengthHeader(target: Uint8Array, offset: number, length: number): number {
  let at = offset;
  target[at++] = 0x24; // $
  if (length >= 10) target[at++] = 0x30 + Math.floor(length / 10);
  target[at++] = 0x30 + (length % 10);
  target[at++] = 0x0d;
  target[at++] = 0x0a;
  return at;
}
