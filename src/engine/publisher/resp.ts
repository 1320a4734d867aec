/**
 * The replies half of the Redis wire protocol (RESP2) for the publisher's connections: counting
 * replies as they stream back. The commands are encoded by xadd-encoder.ts.
 *
 * Why not ioredis's own commands here: its per-command machinery (a Command object, a promise,
 * argument flattening and a decoded reply per XADD) caps a Node process at about a fifth of what
 * `redis-benchmark` pushes through the same Redis (pipeline(), auto-pipelining and xaddBuffer
 * alike: bench/README.md), which would make the publisher, not the system under test, the
 * bottleneck of a load test. ioredis still makes each connection (resp-connection.ts); a batch of
 * XADDs encoded into one buffer and one socket write, with replies counted in order, keeps the
 * publisher within reach of Redis itself.
 */

/** Called once per complete reply, in order; `error` is the text of an error reply. */
export type ReplyHandler = (error: string | undefined) => void;

const CR = 13;
const LF = 10;

/**
 * Streaming parser for the replies of simple commands (XADD, AUTH, SELECT, PING): simple strings,
 * errors, integers and bulk strings, split across chunks anywhere. An array reply means the
 * connection is not in the state we think it is; it is reported as a protocol error.
 */
export class ReplyParser {
  private pending: Buffer | null = null;

  constructor(private readonly onReply: ReplyHandler) {}

  /** Returns false on a protocol violation (the connection must be dropped). */
  feed(chunk: Buffer): boolean {
    let buffer = chunk;
    if (this.pending !== null) {
      buffer = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    const length = buffer.length;
    let position = 0;
    while (position < length) {
      // Reply lines are a few bytes long: a plain loop beats a native indexOf call per reply.
      let lineEnd = position;
      while (lineEnd < length && buffer[lineEnd] !== LF) lineEnd++;
      if (lineEnd === length) break;
      if (lineEnd === position || buffer[lineEnd - 1] !== CR) return false;
      const type = buffer[position];
      if (type === 0x24 /* $ */) {
        const size = parseInteger(buffer, position + 1, lineEnd - 1);
        if (size === null) return false;
        if (size < 0) {
          position = lineEnd + 1;
        } else {
          const end = lineEnd + 1 + size + 2;
          if (end > length) break;
          position = end;
        }
        this.onReply(undefined);
      } else if (type === 0x2b /* + */ || type === 0x3a /* : */) {
        position = lineEnd + 1;
        this.onReply(undefined);
      } else if (type === 0x2d /* - */) {
        const message = buffer.toString('utf8', position + 1, lineEnd - 1);
        position = lineEnd + 1;
        this.onReply(message);
      } else {
        return false;
      }
    }
    if (position < length) this.pending = buffer.subarray(position);
    return true;
  }
}

function parseInteger(buffer: Buffer, start: number, end: number): number | null {
  let index = start;
  let negative = false;
  if (buffer[index] === 0x2d) {
    negative = true;
    index++;
  }
  if (index >= end) return null;
  let value = 0;
  for (; index < end; index++) {
    const digit = buffer[index]! - 0x30;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}
