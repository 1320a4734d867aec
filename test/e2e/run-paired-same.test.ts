// `run --start … --base-start …` with the same command on both sides: no regression (a slower
// head: run-paired.test.ts).
import { describe, expect, it } from 'vitest';
import { groupAlive } from '../../src/services/process.js';
import { explain, groupsStarted, pairedBed, verdictLine } from './paired.js';

describe('run --start … --base-start …: paired A/B on this machine', () => {
  const { paired } = pairedBed('run-paired-same');

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
