import { describe, expect, it } from 'vitest';
import { EventGenerator } from '../events/generator.js';
import { encodeTxHash, TxHashWriter } from '../events/identity.js';
import { XaddBatchEncoder } from './xadd-encoder.js';

/** A command as RESP, with exact UTF-8 byte lengths: the encoding the publisher used before. */
function appendCommandUtf8(out: string, args: readonly string[]): string {
  out += `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return out;
}

/** The bytes the publisher wrote before it had this encoder: generator.build() field by field. */
function fieldByField(prefix: string[], generator: EventGenerator, events: number[][]): string {
  return events
    .map(([sequence, shard, intendedUs]) =>
      appendCommandUtf8('', [...prefix, ...generator.build(sequence!, shard!, intendedUs!)]),
    )
    .join('');
}

describe('XaddBatchEncoder', () => {
  const generator = new EventGenerator({
    chainId: 11155111,
    runId: '0123456789abcdef',
    seed: 7,
    baseTimestampSec: 1_700_000_000,
  });

  it('writes the same bytes as encoding generator.build() field by field', () => {
    const prefix = ['XADD', 'events:11155111', 'MAXLEN', '~', '100000', '*'];
    // Small start, so the buffer grows mid-batch; blocks change, shards and times vary.
    const encoder = new XaddBatchEncoder(prefix, generator, 64);
    const events: number[][] = [];
    for (let sequence = 0; sequence < 2_000; sequence++) {
      events.push([sequence, sequence % 7, 1_000_000 + sequence * 13]);
    }
    // Far sequences: many-digit block numbers and a 48-bit identity.
    events.push([2 ** 40 + 3, 65535, 2 ** 48 - 1], [99_999_999_999, 1, 0], [5, 0, 0]);
    for (const [sequence, shard, intendedUs] of events) {
      encoder.add(sequence!, shard!, intendedUs!);
    }
    const batch = encoder.take();
    expect(batch.toString('latin1')).toBe(fieldByField(prefix, generator, events));

    encoder.add(12, 3, 5_000);
    expect(encoder.take().toString('latin1')).toBe(
      fieldByField(prefix, generator, [[12, 3, 5_000]]),
    );
  });

  it('encodes commands with byte lengths (the reference itself)', () => {
    expect(appendCommandUtf8('', ['SET', 'k', 'é'])).toBe(
      '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n',
    );
  });

  it('encodes a key that is not ASCII with its UTF-8 byte length', () => {
    const prefix = ['XADD', 'événements:1', '*'];
    const encoder = new XaddBatchEncoder(prefix, generator);
    encoder.add(3, 1, 10);
    expect(encoder.take().toString('utf8')).toBe(fieldByField(prefix, generator, [[3, 1, 10]]));
  });

  it('encodes large log indexes, as a generator with long blocks has them', () => {
    const longBlocks = new EventGenerator({
      chainId: 1,
      runId: 'fedcba9876543210',
      seed: 1,
      logsPerBlock: 1_000_000,
    });
    const encoder = new XaddBatchEncoder(['XADD', 'k', '*'], longBlocks);
    const events = [0, 9, 10, 99, 100, 999_999, 1_000_000, 1_234_567].map((s) => [s, 0, s]);
    for (const [sequence, shard, intendedUs] of events) encoder.add(sequence!, shard!, intendedUs!);
    expect(encoder.take().toString('latin1')).toBe(
      fieldByField(['XADD', 'k', '*'], longBlocks, events),
    );
  });
  it('encodes block numbers and timestamps that are not whole numbers of 0 or more as String() does', () => {
    const odd = new EventGenerator({
      chainId: 5,
      runId: '00112233aabbccdd',
      seed: 2,
      startBlock: -25,
      baseTimestampSec: 0.5,
    });
    const encoder = new XaddBatchEncoder(['XADD', 'k', '*'], odd);
    const events = [0, 11, 250, 260].map((s) => [s, 1, s]);
    for (const [sequence, shard, intendedUs] of events) encoder.add(sequence!, shard!, intendedUs!);
    expect(encoder.take().toString('latin1')).toBe(fieldByField(['XADD', 'k', '*'], odd, events));
  });
});

describe('TxHashWriter', () => {
  it('writes what encodeTxHash returns, checksum included', () => {
    const runId = 'a1b2c3d4e5f60718';
    const writer = new TxHashWriter(runId);
    const target = Buffer.alloc(70, 0x2e);
    const cases = [
      [0, 0, 0],
      [65535, 2 ** 48 - 1, 2 ** 48 - 1],
      [7, 123_456_789, 987_654_321_012],
      [256, 2 ** 32, 2 ** 32 - 1],
    ];
    for (let i = 0; i < 500; i++) {
      cases.push([i % 1024, i * 7919, 1_000_000_000 + i * 104_729]);
    }
    for (const [shard, sequence, intendedSendUs] of cases) {
      expect(writer.write(target, 2, shard!, sequence!, intendedSendUs!)).toBe(68);
      expect(target.toString('latin1', 2, 68)).toBe(
        encodeTxHash({
          runId,
          shard: shard!,
          sequence: sequence!,
          intendedSendUs: intendedSendUs!,
        }),
      );
    }
    // Nothing written outside its 66 bytes.
    expect(target.toString('latin1', 0, 2) + target.toString('latin1', 68)).toBe('....');
  });

  it('refuses identities that do not fit, as encodeTxHash does', () => {
    expect(() => new TxHashWriter('xyz')).toThrow(/runId/);
    const writer = new TxHashWriter('0123456789abcdef');
    const target = Buffer.alloc(66);
    expect(() => writer.write(target, 0, 70_000, 0, 0)).toThrow(/shard/);
    expect(() => writer.write(target, 0, 0, -1, 0)).toThrow(/sequence/);
    expect(() => writer.write(target, 0, 0, 1.5, 0)).toThrow(/sequence/);
    expect(() => writer.write(target, 0, 0, 0, 2 ** 48)).toThrow(/intendedSendUs/);
  });
});
