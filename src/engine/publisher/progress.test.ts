import { describe, expect, it } from 'vitest';
import { createProgress, LINE_INTERVAL_US, type ProgressStream } from './progress.js';

function fakeStream(isTTY: boolean): ProgressStream & { text: () => string } {
  const chunks: string[] = [];
  return {
    isTTY,
    columns: 120,
    write(text: string) {
      chunks.push(text);
      return true;
    },
    text: () => chunks.join(''),
  } as ProgressStream & { text: () => string };
}

describe('progress', () => {
  it('prints a plain line every 5 s when the stream is not a terminal', () => {
    const stream = fakeStream(false);
    const progress = createProgress('auto', { totalEvents: 10_000, durationSec: null }, stream);
    progress.update(100, 0, 1_000_000);
    expect(stream.text()).toBe('');
    progress.update(5_000, 0, LINE_INTERVAL_US);
    progress.update(5_100, 0, LINE_INTERVAL_US + 1_000_000);
    expect(stream.text()).toBe('[publish] 5,000/10,000 events (50%), 1,000/s, ETA 5s\n');
    progress.stop(10_000, 2, 10_000_000);
    expect(stream.text().split('\n')[1]).toBe(
      '[publish] 10,000/10,000 events (100%), 1,000/s, 2 errors, done in 10s',
    );
  });

  it('counts down the deadline when the run has no count', () => {
    const stream = fakeStream(false);
    const progress = createProgress(
      'lines',
      { totalEvents: null, durationSec: 60, label: 'warmup' },
      stream,
    );
    progress.update(50_000, 0, 10_000_000);
    expect(stream.text()).toBe('[warmup] 50,000 events, 5,000/s, ETA 50s\n');
  });

  it('draws a bar with count, rate and ETA on a terminal', () => {
    const stream = fakeStream(true);
    const progress = createProgress('auto', { totalEvents: 1_000, durationSec: null }, stream);
    progress.update(500, 0, 500_000);
    progress.stop(1_000, 0, 1_000_000);
    const text = stream.text();
    expect(text).toContain('1,000 events');
    expect(text).toContain('1,000/s');
    expect(text).toContain('ETA');
  });

  it('stays silent when off', () => {
    const stream = fakeStream(true);
    const progress = createProgress('off', { totalEvents: 10, durationSec: null }, stream);
    progress.update(5, 0, 10_000_000);
    progress.stop(10, 0, 20_000_000);
    expect(stream.text()).toBe('');
  });
});
