import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBaseline, updateBaseline, writeBaseline, type Baseline } from '../compare/baseline.js';
import { makeRunResult } from '../compare/fixtures.js';
import { aggregateTrials } from '../compare/trials.js';
import { git, pullRequestRepo, shallowCheckout } from '../git/testing.js';
import { loadBaseline, saveBaseline } from './baseline-store.js';
import type { BaselineConfig } from './inputs.js';

let root: string;
let originUrl: string;

const configIn = (dir: string, store: 'branch' | 'file' = 'branch'): BaselineConfig => ({
  name: 'quick',
  path: path.join(dir, 'baselines', 'quick.json'),
  displayPath: 'baselines/quick.json',
  store,
  dataBranch: 'load-test-data',
});

const night =
  (n: number) =>
  (previous: Baseline | null): Baseline =>
    updateBaseline(previous, aggregateTrials([makeRunResult({})]), {
      name: 'quick',
      commit: `night-${n}`,
      date: `2026-12-0${n}T03:17:00.000Z`,
    });

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'baseline-store-'));
  originUrl = pullRequestRepo(root, {
    base: { 'README.md': 'main' },
    head: { 'README.md': 'feature' },
    number: 7,
  }).originUrl;
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the baseline store', () => {
  it('keeps three nights on the data branch without a merge, and a check reads them', async () => {
    const checkout = (): string => shallowCheckout(root, originUrl, 'refs/heads/main');
    for (const n of [1, 2, 3]) {
      const dir = checkout();
      const saved = await saveBaseline(configIn(dir), dir, night(n), {
        message: `load-test baseline quick: night ${n}`,
      });
      expect(saved.where).toMatch(/^load-test-data:baselines\/quick\.json at [0-9a-f]{7}$/);
      // The workspace's file is written too (the baseline-path output).
      expect((await readBaseline(configIn(dir).path)).commit).toBe(`night-${n}`);
    }
    const origin = path.join(root, 'origin.git');
    expect(git(origin, 'rev-list', '--count', 'load-test-data')).toBe('3');
    expect(git(origin, 'rev-list', '--count', 'main')).toBe('1');

    const pr = shallowCheckout(root, originUrl, 'refs/pull/7/merge');
    const loaded = await loadBaseline(configIn(pr), pr);
    expect(loaded.from).toBe('load-test-data:baselines/quick.json');
    expect(loaded.baseline?.commit).toBe('night-3');
    expect(loaded.baseline?.history.map((entry) => entry.commit)).toEqual(['night-1', 'night-2']);
    expect(existsSync(configIn(pr).path)).toBe(false);
  });

  it('falls back to the committed file while the branch has none, and continues its history', async () => {
    const dir = shallowCheckout(root, originUrl, 'refs/heads/main');
    const config = { ...configIn(dir), dataBranch: 'fresh-data' };
    await writeBaseline(config.path, night(1)(null));
    expect((await loadBaseline(config, dir)).from).toBe('baselines/quick.json');
    const saved = await saveBaseline(config, dir, night(2), { message: 'night 2' });
    expect(saved.written.history.map((entry) => entry.commit)).toEqual(['night-1']);
    expect((await loadBaseline(config, dir)).from).toBe('fresh-data:baselines/quick.json');
  });

  it('falls back to the file, saying why, when the branch cannot be read', async () => {
    const dir = shallowCheckout(root, originUrl, 'refs/heads/main');
    git(dir, 'remote', 'set-url', 'origin', path.join(root, 'no-such-origin.git'));
    const loaded = await loadBaseline(configIn(dir), dir);
    expect(loaded).toMatchObject({ baseline: null, from: 'baselines/quick.json' });
    expect(loaded.branchProblem).toMatch(/^cannot read load-test-data:baselines\/quick\.json: /);
  });

  it('with store file, or outside a clone, uses the workspace file only', async () => {
    const dir = shallowCheckout(root, originUrl, 'refs/heads/main');
    const saved = await saveBaseline(configIn(dir, 'file'), dir, night(1), { message: 'x' });
    expect(saved.where).toBe('baselines/quick.json');
    const plain = mkdtempSync(path.join(root, 'plain-'));
    const outside = await saveBaseline(configIn(plain), plain, night(1), { message: 'x' });
    expect(outside.where).toBe('baselines/quick.json');
    expect((await loadBaseline(configIn(plain), plain)).baseline?.commit).toBe('night-1');
  });
});
