import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  baselineCandidateProblems,
  injectedFaultsProblem,
  updateBaseline,
  type Baseline,
} from '../compare/baseline.js';
import { loadBaseline, saveBaseline } from './baseline-store.js';
import { InputFileError } from '../compare/errors.js';
import { writeTrialSet } from '../compare/result-file.js';
import { sideAggregate } from '../compare/rounds.js';
import { PairedRoundError } from '../check/rounds.js';
import { gitBase } from '../check/base.js';
import {
  runCheck,
  type CheckDependencies,
  type CheckResult,
  type CheckSettings,
} from '../check/check.js';
import { errorKind, exitCodeOfVerdict, TITLES } from '../check/exit.js';
import { checkReportOf, renderCheckFiles } from '../check/report.js';
import { redactUrls } from '../shared/redact.js';
import { outputDirProblem } from '../settings/paths.js';
import { postCommentOnly } from './comment-only.js';
import {
  HTML_REPORT_FILE,
  Inputs,
  LOGS_FILE,
  Outputs,
  REPORT_FILE,
  RESULT_FILE,
  State,
} from './constants.js';
import { coreLogger, type ActionCore } from './core.js';
import type { ActionDependencies } from './dependencies.js';
import { baselineDrift, baselineDriftNote, reportBaselineDrift } from './drift.js';
import { ActionFailure } from './failure.js';
import {
  InputError,
  missingBaselineError,
  readActionConfig,
  type MeasureConfig,
} from './inputs.js';
import { publishReport } from './publish.js';
import { writeJobSummary } from './github/summary.js';
import { serviceStateSaver } from './state.js';

/**
 * The main step: inputs into settings, the one check pipeline (src/check), then the outcome
 * published (files, outputs, job summary, sticky comment) and mapped to the step's result.
 */
export async function runAction(deps: ActionDependencies): Promise<void> {
  const config = readActionConfig(deps.core, deps);
  for (const secret of config.secrets) deps.core.setSecret(secret);
  if (config.mode === 'comment') return postCommentOnly(config, deps);
  const previous = await checkFilesUpFront(config, deps.core);
  await mkdir(config.outputDir, { recursive: true });
  deps.core.setOutput(Outputs.LogsPath, path.join(config.outputDir, LOGS_FILE));
  const result = await runOrFail(config, deps, await checkSettingsOf(config, deps, previous));
  const resultPath = path.join(config.outputDir, RESULT_FILE);
  await writeTrialSet(resultPath, result.head);
  deps.core.setOutput(Outputs.ResultPath, resultPath);
  const refreshed = config.mode === 'baseline' ? await refreshBaseline(config, deps, result) : null;
  const written = refreshed && 'written' in refreshed ? refreshed.written : null;
  const drift = baselineDrift(written ?? previous, config.judge.gatedMetrics);
  const notes = refreshed
    ? ['written' in refreshed ? refreshed.done : refreshed.refused]
    : [baselineDriftNote(drift)].filter((note): note is string => note !== null);
  const headSha = deps.context.pullRequest?.headSha || deps.context.sha;
  const report = checkReportOf(result, { commit: headSha, detailsUrl: deps.context.runUrl, notes });
  const files = renderCheckFiles(report, { history: written ?? previous, drift });
  let markdown = files.markdown;
  if (written) markdown = await reportBaselineDrift(config, deps, written, markdown);
  await writeReportFiles(config, deps, markdown, files.html);
  await publishReport(config, deps, markdown, result);
  if (refreshed && 'refused' in refreshed) {
    throw new ActionFailure(refreshed.refused, 'Baseline not refreshed');
  }
  conclude(config, deps, result);
}

/**
 * Before anything starts: the outputs can be written and the baseline parses (a corrupt baseline
 * fails in seconds, not after the load test).
 */
async function checkFilesUpFront(
  config: MeasureConfig,
  core: ActionCore,
): Promise<Baseline | null> {
  const problem = outputDirProblem(config.outputDir);
  if (problem) {
    throw new InputError(`Invalid input ${Inputs.OutputDir}: "${config.outputDir}" ${problem}.`);
  }
  try {
    // The data branch's baseline, else the committed file; a missing one is refused later when
    // the check compares with it (compare-to auto or base may measure the base instead).
    const loaded = await loadBaseline(config.baseline, config.workingDirectory);
    if (loaded.branchProblem) core.warning(loaded.branchProblem, { title: 'Data branch not read' });
    if (loaded.baseline) core.info(`Baseline: ${loaded.from}`);
    // Asked to compare with the baseline, and there is none on the branch or in the file.
    if (!loaded.baseline && config.mode === 'check' && config.paired.compareTo === 'baseline') {
      throw missingBaselineError(config.baseline);
    }
    return loaded.baseline;
  } catch (error) {
    if (error instanceof InputFileError) {
      throw new InputError(`Invalid input ${Inputs.Baseline}: ${error.message}`);
    }
    throw error;
  }
}

const SETTING_INPUTS = {
  composeFile: Inputs.ComposeFile,
  readyTimeout: Inputs.ReadyTimeout,
  startCommand: Inputs.StartCommand,
  compareTo: Inputs.CompareTo,
} as const;

async function checkSettingsOf(
  config: MeasureConfig,
  deps: ActionDependencies,
  baseline: Baseline | null,
): Promise<CheckSettings> {
  const tempDir = deps.env.RUNNER_TEMP || config.outputDir;
  const base =
    config.mode === 'baseline'
      ? { available: false as const, why: 'a nightly baseline measures the head alone' }
      : config.paired.compareTo === 'baseline'
        ? { available: false as const, why: 'not asked' }
        : await gitBase({
            repoDir: config.workingDirectory,
            eventName: deps.context.eventName,
            baseRef: config.paired.baseRef,
            baseRefName: Inputs.BaseRef,
            services: config.services,
            workingDirectory: config.workingDirectory,
            prepareCommand: config.paired.prepareCommand,
            tempDir,
            remember: (worktree) =>
              deps.core.saveState(State.BaseWorktree, JSON.stringify(worktree)),
            startsServices: config.services.mode !== 'external',
            notStartedWhy: `the action does not start the SUT (no ${Inputs.ComposeFile} or ${Inputs.StartCommand})`,
          });
  const headSha = deps.context.pullRequest?.headSha || deps.context.sha;
  return {
    name: config.baseline.name,
    mode: 'check',
    compareTo: config.paired.compareTo,
    load: { ...config.load, progress: 'lines' },
    head: {
      services: config.services,
      cwd: config.workingDirectory,
      prepareCommand: config.paired.prepareCommand,
    },
    describeHead: `head ${(headSha || 'this checkout').slice(0, 7)}`,
    base,
    baseline,
    judge: config.judge,
    logs: {
      single: path.join(config.outputDir, LOGS_FILE),
      base: path.join(config.outputDir, 'services.base.log'),
      head: path.join(config.outputDir, 'services.head.log'),
    },
    leaveServicesRunning: true,
  };
}

function checkDependencies(config: MeasureConfig, deps: ActionDependencies): CheckDependencies {
  return {
    exec: deps.exec,
    log: coreLogger(deps.core),
    env: deps.env,
    tempDir: deps.env.RUNNER_TEMP || config.outputDir,
    settingName: (setting) => SETTING_INPUTS[setting],
    prepareSettingName: Inputs.PrepareCommand,
    warmupSettingName: Inputs.WarmupEvents,
    save: serviceStateSaver(deps.core),
    runTrials: (options) => deps.trialRunner.runTrials(options),
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
}

/** The check, or a failed step whose title says whose fault it was; the summary says it too. */
async function runOrFail(
  config: MeasureConfig,
  deps: ActionDependencies,
  settings: CheckSettings,
): Promise<CheckResult> {
  try {
    return await runCheck(settings, checkDependencies(config, deps));
  } catch (error) {
    const message = redactUrls(error instanceof Error ? error.message : String(error), [
      config.load.redisUrl,
      config.load.databaseUrl,
    ]);
    const title = deps.signal?.aborted ? 'Load test cancelled' : TITLES[errorKind(error)];
    // The rounds measured before a failed one are kept: result.json holds the head's.
    if (error instanceof PairedRoundError && error.measured.rounds.length > 0) {
      const resultPath = path.join(config.outputDir, RESULT_FILE);
      await writeTrialSet(resultPath, sideAggregate(error.measured, 'head'));
      deps.core.setOutput(Outputs.ResultPath, resultPath);
    }
    await writeJobSummary(
      deps.core,
      `## ⚠️ Load test \`${config.baseline.name}\`: did not complete (${title})\n\n` +
        `\`\`\`text\n${message}\n\`\`\`\n\nThe services' logs are in the post step's output.\n`,
    );
    throw new ActionFailure(
      message,
      error instanceof ActionFailure ? (error.title ?? title) : title,
    );
  }
}

/**
 * Mode baseline: the night appended to the baseline, unless the run cannot be one (invalid, lossy,
 * faults injected): then why, reported before the step fails.
 */
async function refreshBaseline(
  config: MeasureConfig,
  deps: ActionDependencies,
  result: CheckResult,
): Promise<{ written: Baseline; done: string } | { refused: string }> {
  // The action has no way to consent to faults: its own runs never inject any.
  const faults = injectedFaultsProblem(result.head);
  const problems = [...(faults ? [faults] : []), ...baselineCandidateProblems(result.head)];
  if (problems.length > 0) {
    return {
      refused: `Baseline mode: the baseline ${config.baseline.displayPath} was not refreshed: ${problems.join('; ')}. A baseline must come from a valid, complete run.`,
    };
  }
  const night = deps.now().toISOString();
  const { written, where } = await saveBaseline(
    config.baseline,
    config.workingDirectory,
    (stored) =>
      updateBaseline(stored, result.head, {
        name: config.baseline.name,
        commit: deps.context.sha,
        date: night,
      }),
    { message: `load test: baseline ${config.baseline.name}, night of ${night}` },
  );
  deps.core.setOutput(Outputs.BaselinePath, config.baseline.path);
  deps.core.info(
    `${result.baseline ? 'Refreshed' : 'Created'} the baseline ${where} (${written.history.length} earlier night(s) in its history)`,
  );
  const done = `Baseline mode: ${result.baseline ? 'refreshed' : 'created'} \`${config.baseline.displayPath}\` from this run.`;
  return { written, done };
}

async function writeReportFiles(
  config: MeasureConfig,
  deps: ActionDependencies,
  markdown: string,
  html: string,
): Promise<void> {
  const reportPath = path.join(config.outputDir, REPORT_FILE);
  await writeFile(reportPath, markdown);
  deps.core.setOutput(Outputs.ReportPath, reportPath);
  const htmlPath = path.join(config.outputDir, HTML_REPORT_FILE);
  await writeFile(htmlPath, html);
  deps.core.setOutput(Outputs.HtmlReportPath, htmlPath);
}

/** The step's result: a pass succeeds; anything else fails it unless the inputs say otherwise. */
function conclude(config: MeasureConfig, deps: ActionDependencies, result: CheckResult): void {
  const { judgement } = result;
  const details = [judgement.summary, ...judgement.reasons].join('\n');
  deps.core.setOutput(
    Outputs.ExitCode,
    String(exitCodeOfVerdict(judgement.outcome, { failOnInconclusive: true })),
  );
  const regression = judgement.outcome === 'regression';
  // A nightly baseline records the night whatever it shows; a regression is only worth a look.
  if (judgement.outcome === 'pass' || (config.mode === 'baseline' && !regression)) {
    deps.core.info(judgement.summary);
    return;
  }
  const title = `${regression ? 'Performance regression' : 'Load test inconclusive'} (baseline ${config.baseline.name})`;
  const judging = config.mode === 'check';
  const fails =
    judging && (regression ? config.judge.failOnRegression : config.judge.failOnInconclusive);
  if (fails) throw new ActionFailure(details, title);
  deps.core.warning(details, { title });
}
