import { describe, expect, it } from 'vitest';
import { DeliveredSet, SequenceBits } from './delivered.js';

describe('DeliveredSet', () => {
  it('tells first deliveries from duplicates per endpoint, run, log index and sequence', () => {
    const delivered = new DeliveredSet();
    expect(delivered.add('a', 'run1', 0, 7)).toBe(true);
    expect(delivered.add('a', 'run1', 0, 7)).toBe(false);
    expect(delivered.add('b', 'run1', 0, 7)).toBe(true);
    expect(delivered.add('a', 'run2', 0, 7)).toBe(true);
    expect(delivered.add('a', 'run1', 1, 7)).toBe(true);
    expect(delivered.has('a', 'run1', 0, 7)).toBe(true);
    expect(delivered.has('a', 'run1', 2, 7)).toBe(false);
    expect(delivered.hasSequence('a', 'run1', 7)).toBe(true);
    expect(delivered.hasSequence('a', 'run1', 8)).toBe(false);
    expect(delivered.hasSequence('c', 'run1', 7)).toBe(false);
    delivered.clear();
    expect(delivered.has('a', 'run1', 0, 7)).toBe(false);
  });
});

describe('SequenceBits', () => {
  it('holds sequences across chunks and far apart, each once', () => {
    const bits = new SequenceBits();
    const samples = [0, 31, 32, 32_767, 32_768, 1_000_000, 2 ** 40 + 5, 2 ** 48 - 1];
    for (const sequence of samples) expect(bits.add(sequence)).toBe(true);
    for (const sequence of samples) {
      expect(bits.has(sequence)).toBe(true);
      expect(bits.add(sequence)).toBe(false);
    }
    for (const absent of [1, 30, 33, 32_766, 32_769, 999_999, 2 ** 40 + 4, 2 ** 48 - 2]) {
      expect(bits.has(absent)).toBe(false);
    }
  });
});
