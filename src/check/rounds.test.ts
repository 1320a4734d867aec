import { describe, expect, it } from 'vitest';
import { makeRunResult } from '../compare/fixtures.js';
import type { Logger } from '../engine/log.js';
import { formatPhaseTimes, roundOrder, sideResults, type SideName } from '../compare/rounds.js';
import { PairedRoundError, runPairedRounds, type PairedSide } from './rounds.js';

const decided = () => null;

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
        results: [makeRunResult({ runId: `${name}-${round}` })],
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
      { minRounds: 3, maxRounds: 3, log: recordingLog(lines), anotherRound: decided },
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
    expect(run.rounds[1]!.base.results[0]!.runId).toBe('base-2');
    expect(run.furtherRounds).toBe(0);
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
      // Two trials a start: each side's result file holds every trial of every round.
      measure: async (round) => ({
        results: [1, 2].map((trial) =>
          makeRunResult({
            runId: `${name}-${round}.${trial}`,
            environment: { cpuCores: probe++ },
          }),
        ),
        phases: {},
      }),
    });
    const run = await runPairedRounds(
      { base: side('base'), head: side('head') },
      { minRounds: 2, maxRounds: 2, log: recordingLog([]), anotherRound: decided },
    );
    const head = sideResults(run, 'head');
    expect(head.map((result) => result.runId)).toEqual([
      'head-1.1',
      'head-1.2',
      'head-2.1',
      'head-2.2',
    ]);
    expect(head.map((result) => result.environment.cpuCores)).toEqual([100, 100, 100, 100]);
    expect(sideResults(run, 'base')[1]!.environment.cpuCores).toBe(100);
  });

  it('measures further rounds while the judge asks, up to the maximum, continuing the alternation', async () => {
    const events: string[] = [];
    const asked: number[] = [];
    const lines: string[] = [];
    const run = await runPairedRounds(
      { base: fakeSide('base', events), head: fakeSide('head', events) },
      {
        minRounds: 2,
        maxRounds: 6,
        log: recordingLog(lines),
        anotherRound: (rounds) => {
          asked.push(rounds.length);
          return rounds.length < 4 ? 'p95 undecided after 2 rounds' : null;
        },
      },
    );
    expect(asked).toEqual([2, 3, 4]);
    expect(run.rounds).toHaveLength(4);
    expect(run.furtherRounds).toBe(2);
    expect(events.slice(-2)).toEqual(['measure head 4', 'measure base 4']);
    expect(lines).toContain('p95 undecided after 2 rounds');
    expect(lines).toContain('## Round 4 of 6: head');

    // A judge that never decides still stops at the maximum.
    const always = await runPairedRounds(
      { base: fakeSide('base', []), head: fakeSide('head', []) },
      { minRounds: 2, maxRounds: 5, log: recordingLog([]), anotherRound: () => 'more' },
    );
    expect(always.rounds).toHaveLength(5);
    expect(always.furtherRounds).toBe(3);
  });

  it('stops at the first failing measurement, naming it and keeping the rounds before it', async () => {
    const events: string[] = [];
    const failed = await runPairedRounds(
      { base: fakeSide('base', events), head: fakeSide('head', events, { round: 2 }) },
      { minRounds: 3, maxRounds: 3, log: recordingLog([]), anotherRound: decided },
    ).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(PairedRoundError);
    expect((failed as Error).message).toBe('round 2, head: head died in round 2');
    expect((failed as PairedRoundError).measured.rounds.map((round) => round.round)).toEqual([1]);
    expect(events.at(-1)).toBe('measure head 2');
  });

  it('refuses round counts that are not whole numbers of at least 1, or a maximum below them', async () => {
    const sides = { base: fakeSide('base', []), head: fakeSide('head', []) };
    const log = recordingLog([]);
    await expect(
      runPairedRounds(sides, { minRounds: 0, maxRounds: 3, log, anotherRound: decided }),
    ).rejects.toThrow('rounds must be whole numbers of at least 1, got 0');
    await expect(
      runPairedRounds(sides, { minRounds: 4, maxRounds: 3, log, anotherRound: decided }),
    ).rejects.toThrow('max rounds (3) is below the rounds (4)');
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
