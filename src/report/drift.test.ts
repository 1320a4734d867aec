import { describe, expect, it } from 'vitest';
import { baselineWithNights, syntheticSeries } from '../compare/drift-fixtures.js';
import { analyseDrift } from '../compare/drift.js';
import { renderDriftMarkdown, sparkline } from './drift.js';

describe('sparkline', () => {
  it('maps the range onto eight bars, one per night', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([5, 5, 5])).toBe('▁▁▁');
    expect(sparkline([])).toBe('');
  });

  it('shows the median of consecutive nights past its width', () => {
    const line = sparkline([...Array<number>(100).fill(1), ...Array<number>(20).fill(9)], 60);
    expect(line).toBe(`${'▁'.repeat(50)}${'█'.repeat(10)}`);
  });
});

describe('renderDriftMarkdown', () => {
  it('shows the current runner’s trend per metric and a table of its shifts', () => {
    const p50 = syntheticSeries({
      nights: 40,
      level: 10,
      noise: 0.03,
      shift: { at: 30, ratio: 1.4 },
      seed: 8,
    });
    const markdown = renderDriftMarkdown(analyseDrift(baselineWithNights({ p50 })));
    expect(markdown).toMatch(/^### Nightly trend of `nightly`\n\nCurrent runner: AMD EPYC/);
    expect(markdown).toMatch(/\n\| Latency p50 \| `[▁▂▃▄▅▆▇█]{40}` \| \d+\.\d+ ms \| 1 \|\n/);
    expect(markdown).toMatch(
      /\n\| Latency p50 \| \+\d\d% 🔺 worse \| \d+\.\d+ ms → \d+\.\d+ ms \| \d+\.\d standard errors \| `001dccc \(2026-01-30\) \.\. 001eccc \(2026-01-31\)` \| 10 \|\n?$/,
    );
  });

  it('says when the history is too short to look for change points', () => {
    const markdown = renderDriftMarkdown(analyseDrift(baselineWithNights({ p50: [10, 12] })));
    expect(markdown).toContain(
      'No change points looked for yet: 2 night(s) on this runner and load;',
    );
    expect(markdown).not.toContain('| metric | change |');
  });
});
