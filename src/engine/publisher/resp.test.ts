import { describe, expect, it } from 'vitest';
import { ReplyParser } from './resp.js';

function parseAll(chunks: string[]): { replies: (string | undefined)[]; ok: boolean } {
  const replies: (string | undefined)[] = [];
  const parser = new ReplyParser((error) => replies.push(error));
  let ok = true;
  for (const chunk of chunks) ok &&= parser.feed(Buffer.from(chunk, 'utf8'));
  return { replies, ok };
}

describe('ReplyParser', () => {
  it('reports each reply in order, errors with their text', () => {
    const { replies, ok } = parseAll([
      '$15\r\n1700000000000-0\r\n+OK\r\n-WRONGTYPE Operation against a key\r\n:5\r\n$-1\r\n',
    ]);
    expect(ok).toBe(true);
    expect(replies).toEqual([
      undefined,
      undefined,
      'WRONGTYPE Operation against a key',
      undefined,
      undefined,
    ]);
  });

  it('reassembles replies split anywhere across chunks', () => {
    const wire = '$15\r\n1700000000000-0\r\n-ERR boom\r\n$3\r\na\r\n\r\n+PONG\r\n';
    for (let split = 1; split < wire.length; split++) {
      const { replies, ok } = parseAll([wire.slice(0, split), wire.slice(split)]);
      expect(ok).toBe(true);
      expect(replies).toEqual([undefined, 'ERR boom', undefined, undefined]);
    }
    const byteByByte = parseAll([...wire]);
    expect(byteByByte.replies).toHaveLength(4);
  });

  it('flags replies it does not expect from simple commands', () => {
    expect(parseAll(['*2\r\n$1\r\na\r\n$1\r\nb\r\n']).ok).toBe(false);
    expect(parseAll(['$x\r\n']).ok).toBe(false);
    expect(parseAll(['+OK\n']).ok).toBe(false);
    expect(parseAll(['HTTP/1.1 400 Bad Request\r\n']).ok).toBe(false);
  });
});
