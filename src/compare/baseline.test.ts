import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASELINE_KIND,
  baselineCandidateProblems,
  baselinePath,
  DEFAULT_HISTORY_LIMIT,
  historyEntryOf,
  MAX_HISTORY_LIMIT,
  readBaseline,
  readBaselineIfExists,
  updateBaseline,
  writeBaseline,
  type Baseline,
} from './baseline.js';
import { InputFileError } from './errors.js';
import { makeRunResult } from './fixtures.js';
import { aggregateTrials, type TrialAggregate } from './trials.js';

const aggregateWithP50 = (p50Ms: number): TrialAggregate =>
  aggregateTrials([makeRunResult({ latency: { p50Ms, p95Ms: p50Ms * 2, p99Ms: p50Ms * 4 } })]);

const day = (n: number): string => new Date(Date.UTC(2025, 0, 1 + n)).toISOString();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baseline-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectFileError(promise: Promise<unknown>, problem: string, message: RegExp) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputFileError);
  expect((error as InputFileError).problem).toBe(problem);
  expect((error as Error).message).toMatch(message);
}

describe('updateBaseline', () => {
  it('starts a baseline with an empty history', () => {
    const aggregate = aggregateWithP50(10);
    const baseline = updateBaseline(null, aggregate, {
      name: 'steady',
      commit: 'abc123',
      date: day(0),
    });
    expect(baseline).toMatchObject({
      kind: BASELINE_KIND,
      version: 1,
      name: 'steady',
      commit: 'abc123',
      date: day(0),
      createdAt: day(0),
      history: [],
    });
    expect(baseline.aggregate).toBe(aggregate);
  });

  it('keeps about four months of nights by default', () => {
    const first = updateBaseline(null, aggregateWithP50(10), {
      name: 'steady',
      commit: null,
      date: day(0),
    });
    const full = {
      ...first,
      history: Array.from({ length: DEFAULT_HISTORY_LIMIT }, (_, index) => ({
        ...historyEntryOf(first),
        commit: `old${index}`,
      })),
    };
    const next = updateBaseline(full, aggregateWithP50(10), {
      name: 'steady',
      commit: null,
      date: day(1),
    });
    expect(DEFAULT_HISTORY_LIMIT).toBe(120);
    expect(next.history).toHaveLength(120);
    expect(next.history[0]!.commit).toBe('old1');
  });

  it('moves the previous aggregate into the history, oldest first, bounded', () => {
    let baseline: Baseline | null = null;
    const template = aggregateWithP50(10);
    const aggregates = Array.from({ length: 35 }, (_, index) => ({
      ...template,
      metrics: { ...template.metrics, p50: 10 + index },
    }));
    aggregates.forEach((aggregate, index) => {
      baseline = updateBaseline(baseline, aggregate, {
        name: 'steady',
        commit: `c${index}`,
        date: day(index),
        historyLimit: 30,
      });
    });
    const final = baseline as unknown as Baseline;
    expect(final.history).toHaveLength(30);
    // 34 earlier aggregates, the 30 newest kept: c4 ... c33, oldest first.
    expect(final.history.map((entry) => entry.commit)).toEqual(
      Array.from({ length: 30 }, (_, index) => `c${index + 4}`),
    );
    expect(final.history.at(-1)).toMatchObject({ date: day(33), trialCount: 1, valid: true });
    expect(final.history.at(-1)!.metrics.p50).toBe(43);
    expect(final.aggregate.metrics.p50).toBe(44);
    expect(final.history.at(-1)!.configKey).toMatch(/^[0-9a-f]{12}$/);
    expect(final.commit).toBe('c34');
    expect(final.createdAt).toBe(day(0));
  });

  it('honours a custom history limit, including none', () => {
    const first = updateBaseline(null, aggregateWithP50(10), {
      name: 'x',
      commit: null,
      date: day(0),
    });
    const second = updateBaseline(first, aggregateWithP50(11), {
      name: 'x',
      commit: null,
      date: day(1),
      historyLimit: 0,
    });
    expect(second.history).toEqual([]);
    expect(() =>
      updateBaseline(first, aggregateWithP50(11), {
        name: 'x',
        commit: null,
        date: day(1),
        historyLimit: -1,
      }),
    ).toThrow(/history limit/);
    expect(() =>
      updateBaseline(first, aggregateWithP50(11), {
        name: 'x',
        commit: null,
        date: day(1),
        historyLimit: MAX_HISTORY_LIMIT + 1,
      }),
    ).toThrow('Invalid history limit 1001: expected a whole number from 0 to 1000.');
  });
});

describe('baseline files', () => {
  it('round-trips through a pretty-printed file', async () => {
    const baseline = updateBaseline(null, aggregateWithP50(10), {
      name: 'steady',
      commit: 'abc',
      date: day(0),
    });
    const path = join(dir, 'nested', 'steady.json');
    await writeBaseline(path, baseline);
    const text = await readFile(path, 'utf8');
    expect(
      text.startsWith(
        '{\n  "kind": "ethhook-load-test/baseline",\n  "version": 1,\n  "name": "steady"',
      ),
    ).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(await readBaseline(path)).toEqual(baseline);
  });

  it('explains how to create a missing baseline', async () => {
    const path = join(dir, 'absent.json');
    await expectFileError(
      readBaseline(path),
      'missing',
      /No baseline at .*absent\.json\. Create it with `ethhook-load-test baseline update <result\.json> --name absent`.*mode: baseline/,
    );
    expect(await readBaselineIfExists(path)).toBeNull();
  });

  it('rejects corrupt JSON, even when missing would be tolerated', async () => {
    const path = join(dir, 'corrupt.json');
    await writeFile(path, '{"kind": "ethhook-load-test/baseline", ');
    await expectFileError(readBaseline(path), 'corrupt', /corrupt\.json is not valid JSON/);
    await expectFileError(readBaselineIfExists(path), 'corrupt', /not valid JSON/);
  });

  it('rejects another kind of file', async () => {
    const path = join(dir, 'result.json');
    await writeFile(path, JSON.stringify(makeRunResult()));
    await expectFileError(
      readBaseline(path),
      'wrong-kind',
      /is not a baseline: its kind is "ethhook-load-test\/run-result"/,
    );
    const array = join(dir, 'array.json');
    await writeFile(array, '[]');
    await expectFileError(readBaseline(array), 'wrong-kind', /not a baseline/);
  });

  it('rejects other versions, saying what to do', async () => {
    const baseline = updateBaseline(null, aggregateWithP50(10), {
      name: 'v',
      commit: null,
      date: day(0),
    });
    const newer = join(dir, 'newer.json');
    await writeFile(newer, JSON.stringify({ ...baseline, version: 2 }));
    await expectFileError(
      readBaseline(newer),
      'unsupported-version',
      /version 2; this tool reads version 1\. Upgrade/,
    );
    const older = join(dir, 'older.json');
    await writeFile(older, JSON.stringify({ ...baseline, version: 0 }));
    await expectFileError(readBaseline(older), 'unsupported-version', /version 0; .*recreate it/);
  });

  it('names the first field that is wrong', async () => {
    const baseline = updateBaseline(null, aggregateWithP50(10), {
      name: 'bad',
      commit: null,
      date: day(0),
    });
    const broken = JSON.parse(JSON.stringify(baseline)) as {
      aggregate: { metrics: Record<string, unknown> };
    };
    broken.aggregate.metrics.p95 = '12';
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify(broken));
    await expectFileError(
      readBaseline(path),
      'invalid',
      /aggregate\.metrics\.p95 must be a number, got "12"/,
    );
    broken.aggregate.metrics.p95 = 12;
    delete (broken.aggregate as Record<string, unknown>).trials;
    await writeFile(path, JSON.stringify(broken));
    await expectFileError(readBaseline(path), 'invalid', /aggregate\.trials is missing/);
  });

  it('refuses impossible figures, naming the file and the field', async () => {
    const baseline = updateBaseline(null, aggregateWithP50(10), {
      name: 'impossible',
      commit: null,
      date: day(0),
    });
    baseline.history.push(historyEntryOf(baseline));
    const path = join(dir, 'impossible.json');
    const cases: [(broken: Baseline) => void, RegExp][] = [
      // p50 -5 read as "-0.36x worse ... REGRESSION", p50 0 as "∞x worse"
      [(b) => (b.aggregate.metrics.p50 = -5), /aggregate\.metrics\.p50: .*>0, got -5/],
      [(b) => (b.aggregate.metrics.p50 = 0), /aggregate\.metrics\.p50: .*>0, got 0/],
      [
        (b) => (b.aggregate.metrics.throughput = -1),
        /aggregate\.metrics\.throughput: .*>=0, got -1/,
      ],
      [
        (b) => (b.aggregate.metrics.successRate = 1.5),
        /aggregate\.metrics\.successRate: .*<=1, got 1\.5/,
      ],
      [(b) => (b.history[0]!.metrics.p99 = -0.1), /history\[0\]\.metrics\.p99: .*>0, got -0\.1/],
      [
        (b) => (b.aggregate.delivery.latencyMs.p50 = -5),
        /aggregate\.delivery\.latencyMs\.p50: .*>=0, got -5/,
      ],
      [
        (b) => (b.aggregate.trials[0]!.metrics.lost = -3),
        /aggregate\.trials\[0\]\.metrics\.lost: .*>=0, got -3/,
      ],
    ];
    for (const [breakIt, message] of cases) {
      const broken = JSON.parse(JSON.stringify(baseline)) as Baseline;
      breakIt(broken);
      await writeFile(path, JSON.stringify(broken));
      await expectFileError(
        readBaseline(path),
        'invalid',
        new RegExp(`${path}.*${message.source}`),
      );
    }
  });

  it('names the file, every wrong field (up to three) and what was expected', async () => {
    const baseline = updateBaseline(null, aggregateWithP50(10), {
      name: 'worse',
      commit: null,
      date: day(0),
    });
    const broken = JSON.parse(JSON.stringify(baseline)) as {
      commit: unknown;
      aggregate: { delivery: Record<string, unknown>; trials: { delivery: object }[] };
    };
    broken.commit = 7;
    broken.aggregate.delivery.lost = -1;
    (broken.aggregate.trials[0] as { delivery: Record<string, unknown> }).delivery.drainEnded =
      'later';
    broken.aggregate.delivery.expected = 'many';
    const path = join(dir, 'worse.json');
    await writeFile(path, JSON.stringify(broken));
    const error = await readBaseline(path).catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(InputFileError);
    const message = (error as Error).message;
    expect(message).toContain(`${path} is not a valid baseline (version 1): `);
    expect(message).toContain('commit must be a string, got 7');
    expect(message).toContain('aggregate.delivery.expected must be a number, got "many"');
    expect(message).toMatch(/aggregate\.delivery\.lost: .*>=0, got -1/);
    expect(message).toContain('(and 1 more)');
  });

  it('still reads the committed baselines/quick.json (written before the zod schemas)', async () => {
    const path = fileURLToPath(new URL('../../baselines/quick.json', import.meta.url));
    const baseline = await readBaseline(path);
    expect(baseline.name).toBe('quick');
    expect(baseline.aggregate.trialCount).toBe(baseline.aggregate.trials.length);
    expect(baseline.aggregate.metrics.p50).toBeGreaterThan(0);
  });
});

describe('baselinePath', () => {
  it('joins dir and name, refusing names that escape the directory', () => {
    expect(baselinePath('baselines', 'steady')).toBe(join('baselines', 'steady.json'));
    expect(baselinePath('baselines', 'burst-1k.v2')).toBe(join('baselines', 'burst-1k.v2.json'));
    for (const name of ['../etc', 'a/b', '', '.hidden', 'a..b', 'x y']) {
      expect(() => baselinePath('baselines', name)).toThrow(/Invalid baseline name/);
    }
  });
});

describe('baselineCandidateProblems', () => {
  it('accepts a clean run and names what makes a bad one unfit', () => {
    expect(baselineCandidateProblems(aggregateWithP50(10))).toEqual([]);
    const bad = aggregateTrials([
      makeRunResult({ lost: 2, badSignatures: 1, valid: false, invalidReasons: ['rate not met'] }),
    ]);
    expect(baselineCandidateProblems(bad)).toEqual([
      'the run is invalid (rate not met)',
      '2 deliveries were lost',
      '1 deliveries had bad signatures',
    ]);
  });

  it('refuses a run with unexpected deliveries', () => {
    expect(baselineCandidateProblems(aggregateTrials([makeRunResult({ unexpected: 3 })]))).toEqual([
      '3 deliveries were unexpected',
    ]);
  });
});
