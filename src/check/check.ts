import { truncate } from 'node:fs/promises';
import type { Baseline } from '../compare/baseline.js';
import { sideAggregate, sideResults, type PairedRound, type PairedRun } from '../compare/rounds.js';
import { aggregateTrials, type TrialAggregate } from '../compare/trials.js';
import type { RunResult } from '../engine/measure/result.js';
import type { Logger } from '../engine/log.js';
import type { RunOptions } from '../engine/run/types.js';
import type { Exec } from '../services/exec.js';
import { createService, startsTheSut, type ServiceSettings } from '../services/registry.js';
import type { SavedService, ServiceContext } from '../services/service.js';
import type { CompareTo } from '../settings/compare-to.js';
import { judgePaired, judgeSingle, type CheckJudgement, type JudgeSettings } from './judging.js';
import { measurePaired } from './paired.js';
import { watchSut } from './liveness.js';
import { chooseReference, type ReferenceChoice } from './reference.js';
import type { SideDependencies, SideSpec } from './side.js';

/**
 * The one check pipeline, the same for the action and the CLI: choose the reference, measure
 * (the head alone, or the base and the head in rounds), judge, and return one result that the
 * edges publish (files, comment, summary, terminal, exit code). It knows nothing of GitHub or of
 * flags: settings come resolved, side effects come in `deps`.
 */

export type LoadSettings = SideDependencies['load'];

/** Where the base comes from: a git worktree (action), flags (CLI); opened only when measured. */
export type BaseSource =
  { available: false; why: string } | { available: true; open(): Promise<OpenedBase> };

export interface OpenedBase {
  spec: Omit<SideSpec, 'name' | 'logsPath'>;
  /** For the report: "base commit 1a2b3c4 (the pull request's base)". */
  describe: string;
  /** Removes what open made (a worktree); a problem is returned, not thrown. */
  close(): Promise<string | null>;
}

export interface CheckSettings {
  /** Names the report, the comment's marker and the baseline. */
  name: string;
  /** record: measure the head only (a nightly baseline, a plain run); check: compare too. */
  mode: 'check' | 'record';
  compareTo: CompareTo;
  load: LoadSettings;
  head: { services: ServiceSettings; cwd: string; prepareCommand: string | null };
  /** For the report: "the head in /work/app", "head 1a2b3c4". */
  describeHead: string;
  base: BaseSource;
  baseline: Baseline | null;
  judge: JudgeSettings;
  /** Where the services' logs go: the single side's, or each side's in rounds. */
  logs: { single: string; base: string; head: string };
  /** The action leaves a single side's services to its post step (which collects logs first). */
  leaveServicesRunning: boolean;
}

export interface CheckDependencies {
  exec: Exec;
  log: Logger;
  env: NodeJS.ProcessEnv;
  tempDir: string;
  /** Settings as the user writes them, for errors: `compose-file` or `--compose-file`. */
  settingName(setting: 'composeFile' | 'readyTimeout' | 'startCommand' | 'compareTo'): string;
  prepareSettingName: string;
  warmupSettingName: string;
  save(saved: SavedService): void;
  runTrials(options: RunOptions & { trials: number }): Promise<RunResult[]>;
  signal?: AbortSignal;
  clock?: () => number;
}

export interface CheckResult {
  name: string;
  describeHead: string;
  choice: ReferenceChoice;
  judgement: CheckJudgement;
  /** The head's trials (of every start, or of every round in a paired check) and their aggregate. */
  headResults: RunResult[];
  head: TrialAggregate;
  /** A paired check's rounds and the two sides' descriptions; null for a single side. */
  paired: { run: PairedRun; base: TrialAggregate; describeBase: string } | null;
  baseline: Baseline | null;
  /** Said above the report: a short warm-up, a base worktree not removed. */
  notes: string[];
  /** The single side's service logs, when collected. */
  logsPath: string | null;
}

export async function runCheck(
  settings: CheckSettings,
  deps: CheckDependencies,
): Promise<CheckResult> {
  const choice =
    settings.mode === 'record'
      ? { reference: 'none' as const, why: 'recording: nothing to compare with' }
      : chooseReference({
          compareTo: settings.compareTo,
          settingName: deps.settingName('compareTo'),
          hasBaseline: settings.baseline !== null,
          base: settings.base.available
            ? { available: true }
            : { available: false, why: settings.base.why },
        });
  deps.log.info(`Reference: ${choice.why}`);
  if (choice.reference === 'base' && settings.base.available) {
    return checkPaired(settings, deps, choice, await settings.base.open());
  }
  return checkSingle(settings, deps, choice);
}

/**
 * This check's services logs start empty. A started SUT appends to its log (each round of a
 * paired check to its side's), so an earlier run's lines at the same path read as this SUT's,
 * and were quoted as "last lines of its log" when it died without a word.
 */
async function emptyLogs(paths: readonly string[]): Promise<void> {
  for (const file of paths) {
    await truncate(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}

/**
 * The head alone, against the baseline's nights: `rounds` fresh starts of its trials, then another
 * while the judge cannot yet tell the change from the tolerance, up to max-rounds (judging.ts
 * judgeSingle): the nights carry the noise between starts, and only more starts of the head narrow
 * its share of it. Fewer against a young baseline (judge.ts validProgress); one start with no
 * reference or of an external SUT.
 */
async function checkSingle(
  settings: CheckSettings,
  deps: CheckDependencies,
  choice: ReferenceChoice,
): Promise<CheckResult> {
  const logsPath = settings.logs.single;
  const service = createService(settings.head.services, {
    ...serviceContext(deps, settings.load.readyTimeoutMs),
    instance: 'sut',
    cwd: settings.head.cwd,
    logsPath,
  });
  const baseline = choice.reference === 'baseline' ? settings.baseline : null;
  // A SUT this check does not start (external) cannot start afresh: measured again, it is the same
  // start, whose spread would pass for the noise between starts. Then the verdict is one start's.
  const judgeSettings = startsTheSut(settings.head.services)
    ? settings.judge
    : { ...settings.judge, minRounds: 1, maxRounds: 1 };
  const starts: RunResult[][] = [];
  let judgement: CheckJudgement | null = null;
  try {
    await emptyLogs([logsPath]);
    await service.prepare();
    for (;;) {
      const watch = watchSut(service, settings.load.sutHealthUrls, deps.signal);
      try {
        starts.push(
          await deps
            .runTrials({
              ...settings.load,
              sut: watch.lifecycle,
              logger: deps.log,
              signal: watch.signal,
            })
            .catch((error: unknown) => {
              throw watch.explain(error, 'the SUT failed while it was measured');
            }),
        );
      } finally {
        watch.stop();
      }
      judgement = judgeSingle(starts, baseline, judgeSettings);
      if (!judgement.anotherRound || starts.length >= judgeSettings.maxRounds) break;
      deps.log.info(`${judgement.anotherRound} The SUT starts afresh.`);
      await service.stop();
    }
    const results = starts.flat();
    return {
      name: settings.name,
      describeHead: settings.describeHead,
      choice,
      judgement,
      headResults: results,
      head: aggregateTrials(results),
      paired: null,
      baseline: settings.baseline,
      notes: [],
      logsPath,
    };
  } catch (error) {
    const more = await service.describeFailure().catch(() => '');
    if (more && error instanceof Error) error.message += `\n${more}`;
    throw error;
  } finally {
    // A snapshot for steps that upload it; the action's post step writes the final logs.
    await service.collectLogs({ quiet: settings.leaveServicesRunning }).catch(() => undefined);
    if (!settings.leaveServicesRunning) await service.stop();
  }
}

async function checkPaired(
  settings: CheckSettings,
  deps: CheckDependencies,
  choice: ReferenceChoice,
  base: OpenedBase,
): Promise<CheckResult> {
  const notes: string[] = [];
  try {
    await emptyLogs([settings.logs.base, settings.logs.head]);
    const judge = (rounds: readonly PairedRound[]) =>
      judgePaired(
        rounds.map((round) => ({ base: round.base.results, head: round.head.results })),
        settings.judge,
      );
    const { run, notes: measureNotes } = await measurePaired(
      {
        base: { ...base.spec, logsPath: settings.logs.base },
        head: { ...settings.head, logsPath: settings.logs.head },
        minRounds: settings.judge.minRounds,
        maxRounds: settings.judge.maxRounds,
      },
      {
        ...serviceContext(deps, settings.load.readyTimeoutMs),
        prepareSettingName: deps.prepareSettingName,
        warmupSettingName: deps.warmupSettingName,
        runTrials: (options) => deps.runTrials(options),
        load: settings.load,
        ...(deps.clock ? { clock: deps.clock } : {}),
      },
      (rounds) => judge(rounds).anotherRound,
    );
    notes.push(...measureNotes);
    const headResults = sideResults(run, 'head');
    return {
      name: settings.name,
      describeHead: settings.describeHead,
      choice,
      judgement: judge(run.rounds),
      headResults,
      head: aggregateTrials(headResults),
      paired: {
        run,
        base: sideAggregate(run, 'base'),
        describeBase: base.describe,
      },
      baseline: settings.baseline,
      notes,
      logsPath: null,
    };
  } finally {
    const problem = await base.close();
    if (problem) deps.log.warn(problem);
  }
}

function serviceContext(
  deps: CheckDependencies,
  readyTimeoutMs: number,
): Omit<ServiceContext, 'instance' | 'cwd' | 'logsPath'> {
  return {
    exec: deps.exec,
    log: deps.log,
    env: deps.env,
    tempDir: deps.tempDir,
    readyTimeoutMs,
    settingName: (setting) => deps.settingName(setting),
    save: deps.save,
    ...signalOf(deps),
  };
}

const signalOf = (deps: { signal?: AbortSignal }) => (deps.signal ? { signal: deps.signal } : {});
