import { describe, expect, it } from 'vitest';
import { makeRunResult } from '../compare/fixtures.js';
import type { Logger } from '../engine/log.js';
import {
  formatPhaseTimes,
  MAX_FURTHER_ROUNDS,
  roundOrder,
  runPairedRounds,
  sideResults,
  type PairedSide,
  type SideName,
} from './rounds.js';

function recordingLog(lines: string[]): Logger {
  return {
    info: (message) => lines.push(message),
    warn: (message) => lines.push(`warning: ${message}`),
    group: (title, work) => {
      lines.push(`## ${title}`);
      return work();
    },
  };
}

function fakeSide(name: SideName, events: string[], fail?: { round: number }): PairedSide {
  return {
    name,
    prepare: async () => {
      events.push(`prepare ${name}`);
    },
    measure: async (round) => {
      events.push(`measure ${name} ${round}`);
      if (fail?.round === round) throw new Error(`${name} died in round ${round}`);
      return {
        result: makeRunResult({ runId: `${name}-${round}` }),
        phases: { start: 1200, ready: 800, seed: 40, warmup: 2000, measure: 2100, stop: 300 },
      };
    },
  };
}

describe('runPairedRounds', () => {
  it('prepares each side once, then alternates the order round by round', async () => {
    const events: string[] = [];
    const lines: string[] = [];
    const run = await runPairedRounds(
      { base: fakeSide('base', events), head: fakeSide('head', events) },
      { rounds: 3, log: recordingLog(lines) },
    );
    expect(events).toEqual([
      'prepare base',
      'prepare head',
      'measure base 1',
      'measure head 1',
      'measure head 2',
      'measure base 2',
      'measure base 3',
      'measure head 3',
    ]);
    expect(run.rounds.map((round) => round.order)).toEqual([
      ['base', 'head'],
      ['head', 'base'],
      ['base', 'head'],
    ]);
    expect(run.rounds[1]!.base.result.runId).toBe('base-2');
    expect(run.confirmationRounds).toBe(0);
    expect(lines).toContain(
      'Round 2, head: start 1.2 s, ready 0.8 s, seed 0.0 s, warmup 2.0 s, measure 2.1 s, stop 0.3 s',
    );
    expect(lines).toContain('## Round 2 of 3: head');
  });

  it("gives each side's trials the first measurement's environment, so they aggregate", async () => {
    let probe = 100;
    const side = (name: SideName): PairedSide => ({
      name,
      prepare: async () => undefined,
      measure: async (round) => ({
        result: makeRunResult({ runId: `${name}-${round}`, environment: { cpuCores: probe++ } }),
        phases: {},
      }),
    });
    const run = await runPairedRounds(
      { base: side('base'), head: side('head') },
      { rounds: 2, log: recordingLog([]) },
    );
    const head = sideResults(run, 'head');
    expect(head.map((result) => result.runId)).toEqual(['head-1', 'head-2']);
    expect(head.map((result) => result.environment.cpuCores)).toEqual([100, 100]);
    expect(sideResults(run, 'base')[1]!.environment.cpuCores).toBe(100);
  });

  it('measures one more round when asked to confirm, continuing the alternation', async () => {
    const events: string[] = [];
    const asked: number[] = [];
    const run = await runPairedRounds(
      { base: fakeSide('base', events), head: fakeSide('head', events) },
      {
        rounds: 2,
        log: recordingLog([]),
        needsAnotherRound: (rounds) => {
          asked.push(rounds.length);
          return asked.length === 1 ? 'A regression: measuring one more round to confirm it' : null;
        },
      },
    );
    // Asked again after the further round, which needs none.
    expect(asked).toEqual([2, 3]);
    expect(run.rounds).toHaveLength(3);
    expect(run.confirmationRounds).toBe(1);
    expect(events.slice(-2)).toEqual(['measure base 3', 'measure head 3']);
  });

  it('asks again after each further round, and measures two further rounds at most', async () => {
    const events: string[] = [];
    const asked: number[] = [];
    const answers = ['settle it', 'confirm the regression it showed'];
    const run = await runPairedRounds(
      { base: fakeSide('base', events), head: fakeSide('head', events) },
      {
        rounds: 3,
        log: recordingLog([]),
        needsAnotherRound: (rounds) => {
          asked.push(rounds.length);
          return answers[asked.length - 1] ?? null;
        },
      },
    );
    // Not asked after the second: MAX_FURTHER_ROUNDS is reached.
    expect(asked).toEqual([3, 4]);
    expect(run.rounds).toHaveLength(5);
    expect(run.confirmationRounds).toBe(2);
    expect(events.slice(-2)).toEqual(['measure base 5', 'measure head 5']);

    // A caller that never stops asking still gets MAX_FURTHER_ROUNDS.
    const always = await runPairedRounds(
      { base: fakeSide('base', []), head: fakeSide('head', []) },
      { rounds: 2, log: recordingLog([]), needsAnotherRound: () => 'more' },
    );
    expect(always.confirmationRounds).toBe(MAX_FURTHER_ROUNDS);
    expect(always.rounds).toHaveLength(2 + MAX_FURTHER_ROUNDS);
  });

  it('stops at the first failing measurement with its error', async () => {
    const events: string[] = [];
    await expect(
      runPairedRounds(
        { base: fakeSide('base', events), head: fakeSide('head', events, { round: 2 }) },
        { rounds: 3, log: recordingLog([]) },
      ),
    ).rejects.toThrow('round 2, head: head died in round 2');
    expect(events.at(-1)).toBe('measure head 2');
  });

  it('refuses a round count that is not a whole number of at least 1', async () => {
    const sides = { base: fakeSide('base', []), head: fakeSide('head', []) };
    await expect(runPairedRounds(sides, { rounds: 0, log: recordingLog([]) })).rejects.toThrow(
      'rounds must be a whole number of at least 1, got 0',
    );
  });

  it('orders rounds and formats phases as documented', () => {
    expect([1, 2, 3, 4].map(roundOrder)).toEqual([
      ['base', 'head'],
      ['head', 'base'],
      ['base', 'head'],
      ['head', 'base'],
    ]);
    expect(formatPhaseTimes({ ready: 1500, measure: 2000 })).toBe('ready 1.5 s, measure 2.0 s');
  });
});
