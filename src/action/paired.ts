import type { Baseline } from '../compare/baseline.js';
import { aggregateTrials, type TrialAggregate } from '../compare/trials.js';
import { compare, type CompareOptions } from '../compare/verdict.js';
import type { PairedVerdict } from '../compare/paired-verdict.js';
import { environmentFingerprint } from '../engine/measure/fingerprint.js';
import {
  addBaseWorktree,
  BaseCommitError,
  missingBaseReason,
  removeBaseWorktree,
  resolveBaseCommit,
  systemGit,
  type Git,
} from '../git/base-commit.js';
import { runPairedCheck } from '../paired/check.js';
import {
  baselineDifferences,
  chooseReference,
  noiseJudged,
  ReferenceChoiceError,
  type ReferenceChoice,
} from '../paired/choose.js';
import { plannedRunConfig } from '../engine/run/run.js';
import { sideResults } from '../paired/rounds.js';
import { baseComposeFile, baseWorkingDirectory } from '../paired/trees.js';
import { renderPairedHtml } from '../report/html.js';
import {
  committedBaselineLine,
  renderPairedMarkdown,
  type PairedReportContext,
} from '../report/paired.js';
import type { ServiceSettings } from '../services/registry.js';
import { coreLogger } from './core.js';
import { Inputs, State } from './constants.js';
import type { ActionDependencies } from './dependencies.js';
import { ActionFailure } from './failure.js';
import { InputError, type MeasureConfig } from './inputs.js';
import { serviceStateSaver } from './state.js';

/**
 * The action's paired A/B check: which reference (compare-to), the base commit as a worktree, both
 * sides measured in alternating rounds, the paired report. The worktree is removed here and, in
 * case main dies first, by the post step (paired-cleanup.ts).
 */

const SETTING_INPUTS = {
  composeFile: Inputs.ComposeFile,
  readyTimeout: Inputs.ReadyTimeout,
  startCommand: Inputs.StartCommand,
} as const;

/** What compare-to decides here; only `auto` and `base` look at the machine and the clone. */
export async function chooseActionReference(
  config: MeasureConfig,
  deps: ActionDependencies,
  previous: Baseline | null,
  git: Git = systemGit,
): Promise<ReferenceChoice> {
  const { compareTo } = config.paired;
  if (compareTo === 'baseline') {
    return chooseReference({
      compareTo,
      settingName: Inputs.CompareTo,
      baseline: null,
      base: { available: false, why: 'not asked' },
    });
  }
  const missing =
    config.services.mode === 'external'
      ? `the action does not start the SUT (no ${Inputs.ComposeFile} or ${Inputs.StartCommand})`
      : await missingBaseReason(
          {
            repoDir: config.workingDirectory,
            eventName: deps.context.eventName,
            baseRef: config.paired.baseRef,
            baseRefName: Inputs.BaseRef,
          },
          git,
        );
  try {
    return chooseReference({
      compareTo,
      settingName: Inputs.CompareTo,
      baseline: await baselineDifferences(
        previous,
        { environment: () => environmentFingerprint(), config: plannedRunConfig(config.load) },
        {
          strict: config.judge.requireSameEnvironment,
          tolerance: config.judge.tolerance,
          judged: noiseJudged(config.judge),
        },
      ),
      base: missing === null ? { available: true } : { available: false, why: missing },
    });
  } catch (error) {
    if (error instanceof ReferenceChoiceError) throw new InputError(error.message);
    throw error;
  }
}

export interface PairedOutcome {
  verdict: PairedVerdict;
  head: TrialAggregate;
  markdown: string;
  /** report.html: the same report as a page, with the charts. */
  html: string;
}

async function gitTopLevel(dir: string, git: Git): Promise<string> {
  const result = await git.run(['rev-parse', '--show-toplevel'], dir);
  if (result.exitCode !== 0) throw new BaseCommitError(`${dir} is not a git checkout`);
  return result.stdout.trim();
}

/** Measures the base commit and the head in rounds and renders the paired report. */
export async function measurePaired(
  config: MeasureConfig,
  deps: ActionDependencies,
  previous: Baseline | null,
  choice: ReferenceChoice,
  compareOptions: CompareOptions,
  git: Git = systemGit,
): Promise<PairedOutcome> {
  const { core } = deps;
  const logger = coreLogger(core);
  let base;
  let repoDir;
  try {
    repoDir = await gitTopLevel(config.workingDirectory, git);
    base = await resolveBaseCommit(
      {
        repoDir,
        eventName: deps.context.eventName,
        baseRef: config.paired.baseRef,
        baseRefName: Inputs.BaseRef,
      },
      git,
    );
  } catch (error) {
    if (error instanceof BaseCommitError) throw new ActionFailure(error.message, 'No base commit');
    throw error;
  }
  const tempDir = deps.env.RUNNER_TEMP || config.outputDir;
  const worktree = await addBaseWorktree(repoDir, base.sha, tempDir, git).catch(
    (error: unknown) => {
      throw new ActionFailure(
        error instanceof Error ? error.message : String(error),
        'No base commit',
      );
    },
  );
  core.saveState(State.BaseWorktree, JSON.stringify({ repoDir, dir: worktree.dir }));
  core.info(`Base commit ${base.sha} (${base.why}) checked out in ${worktree.dir}`);
  try {
    const baseCwd = baseWorkingDirectory(repoDir, config.workingDirectory, worktree.dir);
    const baseServices: ServiceSettings =
      config.services.mode === 'compose'
        ? {
            ...config.services,
            files: config.services.files.map((file) =>
              baseComposeFile(file, repoDir, worktree.dir),
            ),
          }
        : config.services;
    const { run, verdict } = await runPairedCheck(
      {
        base: {
          services: baseServices,
          cwd: baseCwd,
          prepareCommand: config.paired.prepareCommand,
          logsPath: `${config.outputDir}/services.base.log`,
        },
        head: {
          services: config.services,
          cwd: config.workingDirectory,
          prepareCommand: config.paired.prepareCommand,
          logsPath: `${config.outputDir}/services.head.log`,
        },
        rounds: config.paired.rounds,
        tolerance: config.judge.tolerance,
        ...(config.judge.gatedMetrics ? { gatedMetrics: config.judge.gatedMetrics } : {}),
      },
      {
        exec: deps.exec,
        log: logger,
        env: deps.env,
        tempDir,
        readyTimeoutMs: config.load.readyTimeoutMs,
        settingName: (setting) => SETTING_INPUTS[setting],
        prepareSettingName: Inputs.PrepareCommand,
        warmupSettingName: Inputs.WarmupEvents,
        save: serviceStateSaver(core),
        runTrials: (options) => deps.trialRunner.runTrials(options),
        load: { ...config.load, progress: 'lines' },
        ...(deps.signal ? { signal: deps.signal } : {}),
      },
    );
    const head = aggregateTrials(sideResults(run, 'head'));
    const headSha = deps.context.pullRequest?.headSha || deps.context.sha;
    const context: PairedReportContext = {
      name: config.baseline.name,
      verdict,
      run,
      base: `base commit ${base.sha.slice(0, 7)} (${base.why})`,
      head: `head ${(headSha ?? 'this checkout').slice(0, 7)}`,
      choice: choice.why,
      committedBaseline: previous
        ? committedBaselineLine(compare(head, previous, compareOptions))
        : null,
      commit: headSha,
      detailsUrl: deps.context.runUrl,
    };
    const markdown = renderPairedMarkdown(context);
    const html = renderPairedHtml(context, {
      history: previous,
      gatedMetrics: config.judge.gatedMetrics,
    });
    return { verdict, head, markdown, html };
  } finally {
    const problem = await removeBaseWorktree(repoDir, worktree.dir, git);
    if (problem) core.warning(problem);
  }
}
