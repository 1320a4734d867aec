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
  private readonly head: string;
  /** Per shape: contract, topics and data with their names, then the timestamp name. */
  private readonly shapes: Buffer[];
  private readonly logsPerBlock: number;

  /** The block whose parts are cached, and its parts. */
  private blockOffset = -1;
  /** The head, block_number's value, block_hash, and tx_hash's name and length header. */
  private blockPart: Buffer = Buffer.alloc(0);
  /** timestamp's value. */
  private timestampPart: Buffer = Buffer.alloc(0);

  private buffer: Buffer;
  private length = 0;
  private readonly spare: Buffer[] = [];

  constructor(prefixArgs: readonly string[], generator: EventGenerator, initialBytes = 64 * 1024) {
    this.generator = generator;
    this.logsPerBlock = generator.logsPerBlock;
    this.txHash = new TxHashWriter(generator.runId);
    const sample = generator.build(0, 0, 0);
    this.head =
      `*${prefixArgs.length + sample.length}\r\n` +
      bulk(prefixArgs) +
      bulk(['chain_id', sample[1]!, 'block_number']);
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
    at = this.txHash.write(buffer, at, shard, sequence, intendedSendUs);
    buffer.set(LOG_INDEX_NAME, at);
    at += LOG_INDEX_NAME.length;
    at = writeBulkDecimal(buffer, at, logIndex);
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

  private cacheBlock(sequence: number, blockOffset: number): void {
    const { blockNumber, blockHash, timestamp } = this.generator.blockOf(sequence);
    this.blockOffset = blockOffset;
    this.blockPart = Buffer.from(
      this.head + bulk([blockNumber, 'block_hash', blockHash, 'tx_hash']) + '$66\r\n',
      'utf8',
    );
    this.timestampPart = Buffer.from(bulk([timestamp]), 'utf8');
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

/** Writes `$<digits>\r\n<value>\r\n` for a whole number of 0 or more; returns the offset after. */
function writeBulkDecimal(target: Uint8Array, offset: number, value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let at = offset;
  target[at++] = 0x24; // $
  if (digits >= 10) target[at++] = 0x30 + Math.floor(digits / 10);
  target[at++] = 0x30 + (digits % 10);
  target[at++] = 0x0d;
  target[at++] = 0x0a;
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
