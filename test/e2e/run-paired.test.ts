// `run --start … --base-start …`: the paired A/B check of the CLI on the reference pipeline, the
// base and the head started by their own commands, one trial each per round, alternating. A head
// that waits 20 ms on every event is a regression against a base that does not, and the same
// command on both sides is none. One file, one check after the other: as two files beside each
// other in step 2, each check's pipeline took the CPU the other's needed, and a base's p50 read
// 64 ms instead of about 1 ms (stop 39).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupAlive } from '../../src/services/process.js';
import { REPO_ROOT as repo } from '../../src/stack/test-support.js';
import { escape, explain, groupsStarted, pairedBed, verdictLine } from './paired.js';

describe('run --start … --base-start …: paired A/B on this machine', () => {
  const { dir, pipeline, paired } = pairedBed('run-paired');

  it('a head 20 ms slower per event is a regression: base vs head with its interval, phase times per side, exit 1', async () => {
    const run = await paired('ab', { base: 0, head: 20 });
    expect(run.code, explain(run)).toBe(1);
    const report = run.stdout;
    // The verdict on the last line, what a short terminal shows after the run.
    expect(verdictLine(report)).toMatch(/^REGRESSION {2}/);
    expect(report).toMatch(
      /^\* Latency p50 +[\d,.]+ +[\d,.]+ +\+[\d,.]+% \[90% CI \+[\d,.]+%, \+[\d,.]+%\] +regression$/m,
    );
    expect(report).toMatch(/^Metric +Reference +Head +Change \[90% CI\] +Status$/m);
    // 2 requested rounds, then one more at a time while a figure is undecided (max-rounds 8).
    expect(report.split('\n')[0]).toMatch(
      new RegExp(
        `^Load test quick · the head in ${escape(repo)} vs the base started by --base-start \`${escape(pipeline(0))}\`, both measured on this runner in [2-8] alternating rounds$`,
      ),
    );
    expect(report).toContain(
      'Why this reference: --compare-to auto: the base commit, measured on this runner',
    );
    // The cost of each phase, per side and round, in the report and in the log as it happens.
    for (const side of ['base', 'head']) {
      expect(report).toMatch(new RegExp(`^prepare ${side}: [\\d.]+ s$`, 'm'));
      expect(report).toMatch(
        new RegExp(
          `^round 2 ${side}: start [\\d.]+ s, ready [\\d.]+ s, seed [\\d.]+ s, warmup [\\d.]+ s, measure [\\d.]+ s, stop [\\d.]+ s$`,
          'm',
        ),
      );
      expect(run.stderr).toMatch(new RegExp(`Round 1, ${side}: start [\\d.]+ s, ready `));
    }
    // Alternating: base first in round 1, head first in round 2.
    expect(run.stderr.indexOf('Round 1, base:')).toBeLessThan(run.stderr.indexOf('Round 1, head:'));
    expect(run.stderr.indexOf('Round 2, head:')).toBeLessThan(run.stderr.indexOf('Round 2, base:'));
    expect(existsSync(path.join(dir, 'ab', 'result.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'ab', 'result.base.json'))).toBe(true);
    // Started fresh for every measurement, and every one stopped.
    const groups = groupsStarted(run.stderr);
    expect(groups.length, explain(run)).toBeGreaterThanOrEqual(4);
    expect(new Set(groups).size).toBe(groups.length);
    for (const group of groups) expect(groupAlive(group)).toBe(false);
  }, 320_000);

  it('the same command on both sides is no regression: exit 0, or 2 when it cannot tell', async () => {
    // The plumbing of a check whose sides are the same, gated on p50: a tail of 500 deliveries a
    // round on a busy machine is a bet (three identical rounds once read p99 +198%); how often the
    // tails cry wolf is counted by npm run bench:ab, not by one run here.
    const run = await paired('aa', { base: 0, head: 0 }, ['--gate', 'p50', '--max-rounds', '3']);
    // Pass (0), or inconclusive (2) when three rounds could not narrow the interval on a busy
    // machine: never a regression (1).
    expect([0, 2], explain(run)).toContain(run.code);
    expect(verdictLine(run.stdout)).toMatch(run.code === 0 ? /^PASS {2}/ : /^INCONCLUSIVE {2}/);
    expect(run.stdout).not.toMatch(/regression$/m);
    for (const group of groupsStarted(run.stderr)) expect(groupAlive(group)).toBe(false);
  }, 320_000);
});
