/**
 * The two halves of the Redis wire protocol (RESP2) the publisher's hot path needs: encoding
 * commands into one buffer per batch, and counting replies as they stream back.
 *
 * Why not ioredis here: its per-command machinery (a Command object, a promise, argument
 * flattening and key inspection per XADD) caps a Node process at roughly a third of what
 * `redis-benchmark` pushes through the same Redis, which would make the publisher, not the system
 * under test, the bottleneck of a load test. A batch of XADDs encoded as one string and one
 * socket write, with replies counted in order, keeps the publisher within reach of Redis itself.
 */

/** Appends `args` as one RESP command to `out`, with exact UTF-8 byte lengths. */
export function appendCommandUtf8(out: string, args: readonly string[]): string {
  return appendArgsUtf8(out + '*' + args.length + '\r\n', args);
}

function appendArgsUtf8(out: string, args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    out += '$' + Buffer.byteLength(arg) + '\r\n' + arg + '\r\n';
  }
  return out;
}

/** `$<n>\r\n` for the argument lengths an event has, so the hot path formats no numbers. */
const LENGTH_HEADERS = Array.from({ length: 1024 }, (_, n) => `$${n}\r\n`);

function lengthHeader(n: number): string {
  return n < LENGTH_HEADERS.length ? LENGTH_HEADERS[n]! : `$${n}\r\n`;
}

/**
 * Encodes batches of commands that share their first arguments (`XADD key MAXLEN ~ n *`) into one
 * Buffer per batch, ready for a single socket write. The prefix is encoded once; each command adds
 * only its own arguments.
 *
 * Fast path: argument lengths are taken as string lengths, which are byte lengths for ASCII (all
 * the event generator emits). `write` returns the bytes it wrote, so a command that is not
 * pure ASCII is detected for free and rewritten with exact byte lengths.
 */
export class PrefixedBatchEncoder {
  private readonly prefix: string;
  private readonly prefixCount: number;
  private readonly prefixIsAscii: boolean;
  private buffer: Buffer;
  private length = 0;

  constructor(prefixArgs: readonly string[], initialBytes = 64 * 1024) {
    this.prefixCount = prefixArgs.length;
    this.prefix = appendCommandUtf8('', prefixArgs).replace(/^\*\d+\r\n/, '');
    this.prefixIsAscii = Buffer.byteLength(this.prefix) === this.prefix.length;
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  add(tail: readonly string[]): void {
    let command = this.header(tail.length);
    for (let i = 0; i < tail.length; i++) {
      const arg = tail[i]!;
      command += lengthHeader(arg.length) + arg + '\r\n';
    }
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.reserve(command.length * 3);
    const written = this.buffer.write(command, this.length, 'utf8');
    if (written === command.length && this.prefixIsAscii) {
      this.length += written;
      return;
    }
    // Not ASCII: overwrite what was just written with exact byte lengths.
    const exact = appendArgsUtf8(this.header(tail.length), tail);
    this.reserve(Buffer.byteLength(exact));
    this.length += this.buffer.write(exact, this.length, 'utf8');
  }

  private cachedTailLength = -1;
  private cachedHeader = '';

  /** `*<argc>\r\n` plus the prefix; every event has the same field count, so it is cached. */
  private header(tailLength: number): string {
    if (tailLength !== this.cachedTailLength) {
      this.cachedTailLength = tailLength;
      this.cachedHeader = '*' + (this.prefixCount + tailLength) + '\r\n' + this.prefix;
    }
    return this.cachedHeader;
  }

  /** Hands over the encoded batch and starts a new one. */
  take(): Buffer {
    const batch = this.buffer.subarray(0, this.length);
    // The batch stays referenced by the socket until flushed, so the next one gets fresh memory,
    // sized like this one so a steady run allocates once per batch and never grows.
    this.buffer = Buffer.allocUnsafe(Math.max(2048, this.length + (this.length >> 2)));
    this.length = 0;
    return batch;
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

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
