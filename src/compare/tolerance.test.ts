import { describe, expect, it } from 'vitest';
import { formatTolerance, InvalidToleranceError, parseTolerance } from './tolerance.js';

describe('parseTolerance', () => {
  it.each([
    ['1.5', 1.5],
    ['1.5x', 1.5],
    ['1.5X', 1.5],
    [' 2 x ', 2],
    ['150%', 1.5],
    ['100%', 1],
    ['1', 1],
    ['3', 3],
    ['250 %', 2.5],
  ])('reads %j as %d', (raw, expected) => {
    expect(parseTolerance(raw)).toBeCloseTo(expected, 12);
  });

  it.each(['', 'abc', '1.5y', 'x1.5', '-1.5', '1,5', '1.5xx', '%150', 'Infinity', 'NaN'])(
    'rejects %j naming the input and the valid forms',
    (raw) => {
      expect(() => parseTolerance(raw, '--tolerance')).toThrow(InvalidToleranceError);
      expect(() => parseTolerance(raw, '--tolerance')).toThrow(
        /Invalid --tolerance .*1\.5, 1\.5x or 150%/,
      );
    },
  );

  it.each(['0.9', '0.5x', '0', '99%'])('rejects %j as below 1', (raw) => {
    expect(() => parseTolerance(raw, 'tolerance')).toThrow(/below 1/);
  });

  it('suggests the likely meaning of a slack percentage', () => {
    expect(() => parseTolerance('50%', '--tolerance')).toThrow(/Did you mean 150%\?/);
  });

  it('formats a ratio compactly', () => {
    expect(formatTolerance(1.5)).toBe('1.5x');
    expect(formatTolerance(2)).toBe('2x');
    expect(formatTolerance(1.23456)).toBe('1.235x');
  });
});
