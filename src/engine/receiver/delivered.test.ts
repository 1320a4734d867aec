import { describe, expect, it } from 'vitest';
import { DeliveredSet } from './delivered.js';

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
