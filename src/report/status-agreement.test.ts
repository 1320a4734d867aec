import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { updateBaseline } from '../compare/baseline.js';
import { makeRunResult } from '../compare/fixtures.js';
import { aggregateTrials } from '../compare/trials.js';
import { compare, type MetricComparison } from '../compare/verdict.js';
import { seededRandom } from '../engine/random.js';
import { renderMarkdown } from './markdown.js';
import { reportContext } from './report-fixtures.js';

/**
 * The comment's verdict table must never contradict its numbers: no row shows ✅ with a change
 * beyond the tolerance or outside the limit it shows, every judged row shows its limit, and a
 * row over its limit shows ❌. Checked over many synthetic comparisons and on the golden files.
 */

const TABLE_HEADER = '| Metric | Baseline | This run | Change | Limit | Status |';

interface ShownRow {
  label: string;
  baseline: string;
  current: string;
  change: string;
  limit: string;
  status: string;
}

function verdictTable(markdown: string): ShownRow[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(TABLE_HEADER);
  expect(start, 'the verdict table').toBeGreaterThan(0);
  const rows: ShownRow[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [label, baseline, current, change, limit, status] = line
      .slice(2, -2)
      .split(' | ')
      // No-break spaces keep short cells on one line (markdown.ts nowrap); read them as spaces.
      .map((text) => text.replace(/\u00a0/g, ' ').trim());
    rows.push({
      label: label!,
      baseline: baseline!,
      current: current!,
      change: change!,
      limit: limit!,
      status: status!,
    });
  }
  return rows;
}

const number = (text: string): number => Number(text.replace(/[^0-9.-]/g, ''));

/** How many times worse `current` is than `baseline`, from the shown cells. */
function shownWorsening(row: ShownRow): number | null {
  if (row.baseline === '—' || !/\d/.test(row.baseline)) return null;
  const [baseline, current] = [number(row.baseline), number(row.current)];
  if (baseline === 0 || current === 0) return null;
  return row.label.startsWith('Throughput') ? baseline / current : current / baseline;
}

/** The rendered rows agree with the verdict's numbers and with each other. */
function checkAgreement(markdown: string, tolerance: number, metrics?: MetricComparison[]): void {
  const rows = verdictTable(markdown);
  expect(rows.length).toBeGreaterThan(0);
  const gated = metrics?.filter((metric) => metric.gated);
  if (gated) expect(rows).toHaveLength(gated.length);
  rows.forEach((row, index) => {
    const where = `${row.label}: ${row.baseline} → ${row.current}, limit ${row.limit}, ${row.status}`;
    expect(
      [
        '✅ pass',
        '❌ over limit',
        '🟢 improved',
        '⚠️ within noise',
        '⚠️ not confirmed',
        '⚪ not judged',
      ],
      where,
    ).toContain(row.status);
    if (row.status !== '⚪ not judged') expect(row.limit, where).not.toBe('—');
    const metric = gated?.[index];
    const performance = /^(Latency|Throughput)/.test(row.label);
    if (row.status === '✅ pass' && performance) {
      // Rounded cells: allow for their last digit.
      const worsening = shownWorsening(row);
      if (worsening !== null) expect(worsening, where).toBeLessThanOrEqual(tolerance * 1.01);
      if (metric?.baseline != null && metric.baseline > 0) {
        const exact =
          metric.direction === 'lower-is-better'
            ? metric.current / metric.baseline
            : metric.baseline / metric.current;
        expect(exact, where).toBeLessThanOrEqual(tolerance);
      }
    }
    if (metric?.limit && (row.status === '✅ pass' || row.status === '❌ over limit')) {
      const lower = metric.direction === 'lower-is-better';
      const beyond = lower
        ? metric.current > metric.limit.worst
        : metric.current < metric.limit.worst;
      expect(beyond, where).toBe(row.status === '❌ over limit');
    }
    if (row.status === '✅ pass' && /^[\d.,]+$/.test(row.limit) && row.label.includes('deliver')) {
      expect(number(row.current), where).toBeLessThanOrEqual(number(row.limit));
    }
  });
}

describe('the verdict table agrees with its numbers', () => {
  it('over 60 synthetic comparisons: no ✅ beyond the tolerance or the limit, every judged row shows its limit', () => {
    const next = seededRandom(15);
    const seen = new Set<string>();
    for (let index = 0; index < 60; index += 1) {
      const tolerance = [1.1, 1.25, 1.5, 2][Math.floor(next() * 4)]!;
      const p50 = 0.5 + next() * 80;
      const noise = next() * 0.3;
      const shift = Math.exp((next() - 0.4) * 2.2);
      const trials = (count: number, factor: number, prefix: string) =>
        Array.from({ length: count }, (_, trial) => {
          const wobble = Math.exp((next() - 0.5) * 2 * noise);
          const value = p50 * factor * wobble;
          return makeRunResult({
            runId: `${prefix}${index}-${trial}`,
            sampleCount: 100,
            endpointCount: 1,
            latency: { p50Ms: value, p95Ms: value * 2.5, p99Ms: value * 5 },
            throughputPerSec: (100 / factor) * wobble,
            duplicates: next() < 0.2 ? Math.floor(next() * 8) : 0,
            lost: next() < 0.05 ? 1 : 0,
          });
        });
      const base = aggregateTrials(trials(1 + Math.floor(next() * 5), 1, 'b'));
      const baseline = updateBaseline(null, base, {
        name: 'steady',
        commit: '1a2b3c4d5e6f',
        date: '2025-01-14T02:00:00.000Z',
      });
      const current = aggregateTrials(trials(1 + Math.floor(next() * 5), shift, 'c'));
      const verdict = compare(current, baseline, { tolerance });
      const markdown = renderMarkdown(verdict, reportContext(current, baseline));
      checkAgreement(markdown, tolerance, verdict.metrics);
      for (const row of verdictTable(markdown)) seen.add(row.status);
    }
    // The sample covers what it must: passes, regressions, improvements and noise.
    expect([...seen]).toEqual(
      expect.arrayContaining(['✅ pass', '❌ over limit', '🟢 improved', '⚠️ within noise']),
    );
  });

  it('in every golden report', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'golden');
    const files = readdirSync(dir).filter((file) => /^report-.*\.md$/.test(file));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) checkAgreement(readFileSync(join(dir, file), 'utf8'), 1.5);
  });
});
