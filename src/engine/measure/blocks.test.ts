import { describe, expect, it } from 'vitest';
import { LatencyBlocks, eventsPerLatencyBlock } from './blocks.js';
import { decodeHistogram } from './histogram.js';

describe('LatencyBlocks', () => {
  it('puts each delivery in the block of its sequence number, keeping empty blocks in place', () => {
    const blocks = new LatencyBlocks(100);
    blocks.record(0, 1000);
    blocks.record(99, 3000);
    blocks.record(250, 5000);
    const decoded = blocks.encoded().map(decodeHistogram);
    expect(decoded.map((block) => block.totalCount)).toEqual([2, 0, 1]);
    expect(decoded[0]!.maxValue).toBeGreaterThanOrEqual(2990);
    expect(decoded[2]!.minNonZeroValue).toBeGreaterThanOrEqual(4990);
    blocks.reset();
    expect(blocks.encoded()).toEqual([]);
    expect(() => new LatencyBlocks(0)).toThrow(RangeError);
  });

  it('splits a known event count into ten blocks, and nothing when the count is unknown', () => {
    expect(eventsPerLatencyBlock(1000)).toBe(100);
    expect(eventsPerLatencyBlock(1005)).toBe(101);
    expect(eventsPerLatencyBlock(null)).toBeNull();
  });
});
