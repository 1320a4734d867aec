import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { formatShare, readCpuTicks, stolenShare } from './steal.js';

const PROC_STAT = `cpu  69409 10 7919 65976 325 0 2451 744 120 0
cpu0 34700 5 3950 33000 160 0 1200 370 60 0
cpu1 34709 5 3969 32976 165 0 1251 374 60 0
intr 123456 0 9 0
ctxt 987654
`;

describe('readCpuTicks', () => {
  it('reads steal and the total of the first eight figures of the cpu line (guest time is inside user)', () => {
    expect(readCpuTicks(() => PROC_STAT)).toEqual({
      steal: 744,
      total: 69409 + 10 + 7919 + 65976 + 325 + 0 + 2451 + 744,
    });
  });

  it('is null where /proc/stat cannot be read, has no cpu line or a short one', () => {
    expect(
      readCpuTicks(() => {
        throw new Error('ENOENT');
      }),
    ).toBeNull();
    expect(readCpuTicks(() => 'intr 1 2 3\n')).toBeNull();
    expect(readCpuTicks(() => 'cpu  1 2 3 4\n')).toBeNull();
    expect(readCpuTicks(() => 'cpu  1 2 3 4 5 6 7 x\n')).toBeNull();
  });

  it.runIf(existsSync('/proc/stat'))(
    'reads this Linux machine, whose ticks only grow',
    async () => {
      const first = readCpuTicks();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = readCpuTicks();
      expect(first).not.toBeNull();
      expect(second!.total).toBeGreaterThan(first!.total);
      expect(second!.steal).toBeGreaterThanOrEqual(first!.steal);
      expect(stolenShare(first, second)).toBeGreaterThanOrEqual(0);
    },
  );
});

describe('stolenShare', () => {
  it('is the stolen ticks over all ticks between two readings', () => {
    expect(stolenShare({ steal: 100, total: 10_000 }, { steal: 124, total: 10_200 })).toBeCloseTo(
      0.12,
    );
    expect(stolenShare({ steal: 100, total: 10_000 }, { steal: 100, total: 10_200 })).toBe(0);
  });

  it('is null when a reading is missing or no tick passed', () => {
    expect(stolenShare(null, { steal: 1, total: 2 })).toBeNull();
    expect(stolenShare({ steal: 1, total: 2 }, null)).toBeNull();
    expect(stolenShare({ steal: 1, total: 2 }, { steal: 1, total: 2 })).toBeNull();
  });

  it('formats as a percentage', () => {
    expect(formatShare(0.124)).toBe('12.4%');
  });
});
