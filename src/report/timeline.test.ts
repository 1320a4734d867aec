import { describe, expect, it } from 'vitest';
import { aggregateTrials } from '../compare/trials.js';
import { makeRunResult } from '../compare/fixtures.js';
import type { Timeline } from '../engine/measure/result.js';
import type { PairedRun } from '../compare/rounds.js';
import { golden } from './golden.js';
import { regressedWithTimelines } from './html-fixtures.js';
import {
  findStalls,
  lastRoundTimelineDetails,
  shownTrialTimeline,
  slowestEndpoint,
  slowestEndpointLine,
  timelineCharts,
  timelineDetails,
  timelineView,
} from './timeline.js';

/**
 * 12 s at 100 events/s, one webhook each, publishing until 10 s; with `stallFrom`, nothing is
 * delivered for `stallSec` seconds and everything held back arrives the second after, late.
 */
function timeline(options: { stallFrom?: number; stallSec?: number; lostTail?: number } = {}) {
  const length = 12;
  const published: number[] = Array.from({ length }, (_, s) => (s < 10 ? 100 : 0));
  const delivered = published.slice();
  const p99: (number | null)[] = delivered.map(() => 8);
  const { stallFrom, stallSec = 2 } = options;
  if (stallFrom !== undefined) {
    for (let s = stallFrom; s < stallFrom + stallSec; s++) {
      delivered[s] = 0;
      p99[s] = null;
    }
    delivered[stallFrom + stallSec] = 100 * (stallSec + 1);
    p99[stallFrom + stallSec] = 2100;
  }
  if (options.lostTail) {
    // The last events never arrive: the drain waits, owing them.
    delivered[9] = 100 - options.lostTail;
    for (let s = 10; s < length; s++) p99[s] = null;
  }
  let owed = 0;
  const backlog = published.map((count, s) => (owed += count - delivered[s]!));
  const result: Timeline = {
    bucketSec: 1,
    publishEndSec: 10,
    publishedPerSec: published,
    deliveredPerSec: delivered,
    p50Ms: p99.map((value) => (value === null ? null : value / 2)),
    p99Ms: p99,
    maxMs: p99.map((value) => (value === null ? null : value + 1)),
    backlog,
  };
  return result;
}

describe('findStalls', () => {
  it('finds a 2-second stall at the second it began, with the late catch-up’s p99', () => {
    expect(findStalls(timeline({ stallFrom: 5 }))).toEqual([
      {
        startSec: 5,
        durationSec: 2,
        minDeliveredPerSec: 0,
        typicalDeliveredPerSec: 100,
        peakP99Ms: 2100,
        peakBacklog: 200,
      },
    ]);
  });

  it('finds none in a steady run, nor in a drain waiting for lost deliveries', () => {
    expect(findStalls(timeline())).toEqual([]);
    expect(findStalls(timeline({ lostTail: 3 }))).toEqual([]);
  });

  it('counts seconds of a merged timeline', () => {
    const merged: Timeline = {
      ...timeline({ stallFrom: 5 }),
      bucketSec: 3,
      publishEndSec: 30,
    };
    expect(findStalls(merged)[0]).toMatchObject({ startSec: 15, durationSec: 6 });
  });
});

describe('timelineView', () => {
  it('says what happened in one line', () => {
    const view = timelineView(timeline({ stallFrom: 4 }), 'the trial');
    expect(view.seconds).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(view.reading).toMatch(/^stall: 2 s from second 4 \(p99 up to 2,100 ms, backlog 200\)/);
    expect(timelineView(timeline(), 'x').reading).toBe(
      'no stall; p99 per second: median 8.00 ms, worst 8.00 ms at second 0.',
    );
  });

  it('draws p99 and throughput per second as mermaid xycharts labelled in seconds', () => {
    const [p99, throughput] = timelineCharts(timelineView(timeline({ stallFrom: 5 }), 'x'));
    expect(p99).toContain('xychart-beta');
    expect(p99).toContain('x-axis "second" ["0", "1", "2", "3", "4", "5", "6", "7"');
    expect(p99).toContain('line [8, 8, 8, 8, 8, 0, 0, 2100, 8, 8, 8, 8]');
    expect(p99).toContain('y-axis "ms" 0 --> 2500');
    expect(throughput).toContain('bar [100, 100, 100, 100, 100, 0, 0, 300, 100, 100, 0, 0]');
    expect(throughput).toContain('line [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 0, 0]');
  });

  it('merges long timelines for the chart, keeping the worst p99', () => {
    const long: Timeline = {
      bucketSec: 1,
      publishEndSec: 200,
      publishedPerSec: Array.from({ length: 200 }, () => 10),
      deliveredPerSec: Array.from({ length: 200 }, () => 10),
      p50Ms: Array.from({ length: 200 }, () => 1),
      p99Ms: Array.from({ length: 200 }, (_, s) => (s === 101 ? 500 : 2)),
      maxMs: Array.from({ length: 200 }, () => 3),
      backlog: Array.from({ length: 200 }, () => 0),
    };
    const [p99] = timelineCharts(timelineView(long, 'x'), 50);
    expect(p99).toContain('title "p99 latency per 4 s');
    const values = /line \[([^\]]*)\]/.exec(p99!)![1]!.split(', ').map(Number);
    expect(values).toHaveLength(50);
    expect(values[25]).toBe(500);
  });
});

describe('the report section', () => {
  it('shows the trial with the stall, and the slowest endpoint against the median one', () => {
    const trials = [
      { ...makeRunResult({ runId: 'a' }), timeline: timeline() },
      { ...makeRunResult({ runId: 'b' }), timeline: timeline({ stallFrom: 5 }) },
      { ...makeRunResult({ runId: 'c' }), timeline: timeline() },
    ];
    const aggregate = aggregateTrials(trials);
    expect(shownTrialTimeline(aggregate)?.label).toBe('trial 2 of 3');
    const section = timelineDetails(aggregate)!;
    expect(section).toContain(
      '<summary>Timeline (trial 2 of 3) ⚠️ stall: 2 s from second 5 (p99 up to 2,100 ms, backlog 200)</summary>',
    );
    expect(section).toContain('```mermaid\nxychart-beta');
    expect(section).toMatch(/Slowest endpoint: \*\*[^*]+\*\*, p99 [\d.,]+ ms/);
  });

  it('renders the section of a three-trial run whose second trial stalled (golden)', async () => {
    const section = `${timelineDetails(regressedWithTimelines())!}\n`;
    expect(section).toBe(await golden('timeline-section.md', section));
  });

  it('is left out for results written before timelines', () => {
    const aggregate = aggregateTrials([makeRunResult()]);
    expect(shownTrialTimeline(aggregate)).toBeNull();
    expect(timelineDetails(aggregate)).toBeNull();
  });

  it('has no slowest endpoint line with a single endpoint', () => {
    const aggregate = aggregateTrials([
      { ...makeRunResult({ endpointCount: 1 }), timeline: timeline() },
    ]);
    expect(shownTrialTimeline(aggregate)?.label).toBe('the trial');
    expect(timelineDetails(aggregate)).not.toContain('Slowest endpoint');
  });

  it('names the endpoint with the highest p99 and how far it is from the median endpoint', () => {
    const endpoints = makeRunResult().endpoints.map((endpoint, index) => ({
      ...endpoint,
      name: `E${index}`,
      latencyMs: { ...endpoint.latencyMs, p95: 10 + index, p99: [20, 30, 90, 25, 40][index]! },
    }));
    expect(slowestEndpoint(endpoints)).toEqual({
      name: 'E2',
      p95Ms: 12,
      p99Ms: 90,
      medianP99Ms: 30,
      ratio: 3,
    });
    expect(slowestEndpointLine(endpoints)).toBe(
      "Slowest endpoint: **E2**, p99 90.0 ms (p95 12.0 ms), 3.0× the median endpoint's 30.0 ms.",
    );
  });
});

describe('the paired report section', () => {
  const round = (index: number, head: Timeline | undefined, base: Timeline | undefined) => ({
    round: index,
    order: ['base', 'head'] as ['base', 'head'],
    base: { results: [{ ...makeRunResult(), ...(base ? { timeline: base } : {}) }], phases: {} },
    head: { results: [{ ...makeRunResult(), ...(head ? { timeline: head } : {}) }], phases: {} },
  });

  it("shows the head's and the base's timeline of the last round, naming a stall", () => {
    const run: PairedRun = {
      prepareMs: { base: 0, head: 0 },
      furtherRounds: 0,
      rounds: [
        round(1, timeline({ stallFrom: 2 }), timeline()),
        round(2, timeline({ stallFrom: 6 }), timeline()),
      ],
    };
    const section = lastRoundTimelineDetails(run)!;
    expect(section).toContain(
      '<summary>Timeline of the last round (2) ⚠️ head stall: 2 s from second 6 (p99 up to 2,100 ms, backlog 200)</summary>',
    );
    expect(section).toContain('**Timeline of head, round 2**');
    expect(section).toContain('**Timeline of base, round 2**');
    expect(section.match(/xychart-beta/g)).toHaveLength(4);
  });

  it('is left out when the last round recorded no timeline', () => {
    const run: PairedRun = {
      prepareMs: { base: 0, head: 0 },
      furtherRounds: 0,
      rounds: [round(1, undefined, undefined)],
    };
    expect(lastRoundTimelineDetails(run)).toBeNull();
  });
});
