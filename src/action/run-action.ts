import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  baselineCandidateProblems,
  injectedFaultsProblem,
  updateBaseline,
  type Baseline,
} from '../compare/baseline.js';
import { writeTrialSet } from '../compare/result-file.js';
import { aggregateTrials, type TrialAggregate } from '../compare/trials.js';
import { judgeConfirmed, type JudgedRun } from '../compare/confirm.js';
import { compare, type CompareOptions, type Verdict } from '../compare/verdict.js';
import type { DriftAnalysis } from '../compare/drift.js';
import { redactUrls } from '../shared/redact.js';
import { renderHtml } from '../report/html.js';
import { commentMarker, renderMarkdown } from '../report/markdown.js';
import { postCommentOnly } from './comment-only.js';
import { loadBaseline, saveBaseline } from './baseline-store.js';
import { InputFileError } from '../compare/errors.js';
import { inputOf } from '../settings/declaration.js';
import { outputDirProblem } from '../settings/paths.js';
import {
  COMMENT_REQUEST_FILE,
  COMMENT_REQUEST_KIND,
  COMMENT_REQUEST_VERSION,
  HTML_REPORT_FILE,
  Inputs,
  LOGS_FILE,
  Outputs,
  REPORT_FILE,
  RESULT_FILE,
} from './constants.js';
import { coreLogger, type ActionCore } from './core.js';
import type { ActionDependencies } from './dependencies.js';
import {
  baselineDrift,
  baselineDriftNote,
  reportBaselineDrift,
  withBaselineDriftNote,
} from './drift.js';
import type { RunHooks } from './trial-runner.js';
import { ActionFailure } from './failure.js';
import { upsertStickyComment } from './github/comment.js';
import { writeJobSummary } from './github/summary.js';
import {
  InputError,
  missingBaselineError,
  readActionConfig,
  type MeasureConfig,
} from './inputs.js';
import { headlineFigures, setHeadlineOutputs, type CommentRequest } from './outputs.js';
import { createService } from '../services/registry.js';
import { serviceStateSaver } from './state.js';
import { chooseActionReference, measurePaired, type PairedOutcome } from './paired.js';
import type { ReferenceChoice } from '../paired/choose.js';

function maskSecrets(message: string, config: MeasureConfig): string {
  return redactUrls(message, [config.load.redisUrl, config.load.databaseUrl]);
}

function compareOptionsOf(config: MeasureConfig): CompareOptions {
  return {
    tolerance: config.judge.tolerance,
    noiseFloors: config.judge.noiseFloors,
    ...(config.judge.gatedMetrics ? { gatedMetrics: config.judge.gatedMetrics } : {}),
    environment: config.judge.requireSameEnvironment ? 'same' : 'comparable',
    baselineName: config.baseline.name,
  };
}

interface Measured {
  aggregate: TrialAggregate;
  /** Judged while the services were up (check mode), a regression confirmed by one more trial. */
  verdict: Verdict | null;
}

/**
 * Brings the services up, runs the trials, and leaves the services to the post step. With a
 * baseline to check against, judges the trials before leaving the session, so a regression is
 * confirmed by one more trial on the same services.
 */
async function measure(
  config: MeasureConfig,
  deps: ActionDependencies,
  logsPath: string,
  checkAgainst: Baseline | null,
): Promise<Measured> {
  const { core } = deps;
  const logger = coreLogger(core);
  const service = createService(config.services, {
    instance: 'sut',
    cwd: config.workingDirectory,
    env: deps.env,
    logsPath,
    tempDir: deps.env.RUNNER_TEMP || config.outputDir,
    readyTimeoutMs: config.load.readyTimeoutMs,
    settingName: inputOf,
    exec: deps.exec,
    log: logger,
    save: serviceStateSaver(core),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  let judged: JudgedRun | null = null;
  const hooks: RunHooks = checkAgainst
    ? {
        afterTrials: async (results, measureMore) => {
          judged = await judgeConfirmed(
            results,
            checkAgainst,
            compareOptionsOf(config),
            measureMore,
          );
        },
      }
    : {};
  try {
    await service.prepare();
    const results = await deps.trialRunner.runTrials(
      {
        ...config.load,
        progress: 'lines',
        logger,
        sut: service,
        ...(deps.signal ? { signal: deps.signal } : {}),
      },
      hooks,
    );
    const confirmed = judged as JudgedRun | null;
    return confirmed
      ? { aggregate: confirmed.aggregate, verdict: confirmed.verdict }
      : { aggregate: aggregateTrials(results), verdict: null };
  } catch (error) {
    let message = maskSecrets(error instanceof Error ? error.message : String(error), config);
    const more = await service.describeFailure();
    if (more) message += `\n${more}\nThe post step shows the services' logs.`;
    throw new ActionFailure(message, 'Load test did not complete');
  } finally {
    // A snapshot for steps that upload it; post rewrites the file with the final logs.
    await service.collectLogs({ quiet: true }).catch(() => undefined);
  }
}

interface Judgement {
  verdict: Verdict;
  /** Mode baseline: what was written, or why nothing was (the step fails after reporting). */
  baseline: { written: Baseline } | { refused: string } | null;
}

async function judge(
  config: MeasureConfig,
  deps: ActionDependencies,
  { aggregate, verdict: judged }: Measured,
  previous: Baseline | null,
): Promise<Judgement> {
  const verdict = judged ?? compare(aggregate, previous, compareOptionsOf(config));
  if (config.mode !== 'baseline') return { verdict, baseline: null };

  // The action has no way to consent to faults: its own runs never inject any.
  const faults = injectedFaultsProblem(aggregate);
  const problems = [...(faults ? [faults] : []), ...baselineCandidateProblems(aggregate)];
  if (problems.length > 0) {
    const refused = `The baseline ${config.baseline.displayPath} was not refreshed: ${problems.join('; ')}. A baseline must come from a valid, complete run.`;
    return { verdict, baseline: { refused } };
  }
  const { written, where } = await saveBaseline(
    config.baseline,
    config.workingDirectory,
    (stored) =>
      updateBaseline(stored, aggregate, {
        name: config.baseline.name,
        commit: deps.context.sha,
        date: deps.now().toISOString(),
      }),
    {
      message: `load test: baseline ${config.baseline.name}, night of ${deps.now().toISOString()}`,
    },
  );
  deps.core.setOutput(Outputs.BaselinePath, config.baseline.path);
  deps.core.info(
    `${previous ? 'Refreshed' : 'Created'} the baseline ${where} (${written.history.length} earlier run(s) in its history)`,
  );
  return { verdict, baseline: { written } };
}

/**
 * Before anything starts, as the README promises: the outputs can be written, and the baseline
 * parses (a corrupt baseline fails in seconds, not after the load test). Check mode: the file
 * exists (inputs checked it); a corrupt one is an error, never skipped.
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
    return loaded.baseline;
  } catch (error) {
    if (error instanceof InputFileError) {
      throw new InputError(`Invalid input ${Inputs.Baseline}: ${error.message}`);
    }
    throw error;
  }
}

async function measureAndReport(config: MeasureConfig, deps: ActionDependencies): Promise<void> {
  const { core } = deps;
  const previous = await checkFilesUpFront(config, core);
  await mkdir(config.outputDir, { recursive: true });
  const logsPath = path.join(config.outputDir, LOGS_FILE);
  core.setOutput(Outputs.LogsPath, logsPath);
  if (config.mode === 'check') {
    const choice = await chooseActionReference(config, deps, previous);
    core.info(`Reference: ${choice.why}`);
    if (choice.reference === 'base') {
      await measurePairedAndReport(config, deps, previous, choice);
      return;
    }
    // Comparing with the committed baseline: it must exist.
    if (!previous) throw missingBaselineError(config.baseline);
  }
  let measured: Measured;
  try {
    measured = await measure(config, deps, logsPath, config.mode === 'check' ? previous : null);
  } catch (error) {
    // The summary is written on every run: a run that did not complete says why there too.
    const message = error instanceof Error ? error.message : String(error);
    await writeJobSummary(
      core,
      `## ⚠️ Load test \`${config.baseline.name}\`: did not complete\n\n\`\`\`text\n${message}\n\`\`\`\n\nThe services' logs are in the post step's output.\n`,
    );
    throw error;
  }
  const { aggregate } = measured;
  const resultPath = path.join(config.outputDir, RESULT_FILE);
  await writeTrialSet(resultPath, aggregate);
  core.setOutput(Outputs.ResultPath, resultPath);

  const { verdict, baseline } = await judge(config, deps, measured, previous);
  const context = {
    name: config.baseline.name,
    current: aggregate,
    baseline: previous,
    commit: deps.context.pullRequest?.headSha || deps.context.sha,
    detailsUrl: deps.context.runUrl,
  };
  let markdown = renderMarkdown(verdict, context);
  // What the markdown says above its heading, as plain lines for report.html.
  const notes: string[] = [];
  // Check mode: analysed once, for the markdown's note and the page's trend.
  let drift: DriftAnalysis | null | undefined;
  if (baseline && 'written' in baseline) {
    const done = `${previous ? 'refreshed' : 'created'} \`${config.baseline.displayPath}\` from this run.`;
    markdown = `> **Baseline mode:** ${done}\n\n${markdown}`;
    notes.push(`Baseline mode: ${done.replace(/`/g, '')}`);
    markdown = await reportBaselineDrift(config, deps, baseline.written, markdown);
  } else if (config.mode === 'check') {
    drift = baselineDrift(previous, config.judge.gatedMetrics);
    markdown = withBaselineDriftNote(markdown, previous, config.judge.gatedMetrics, drift);
    const note = baselineDriftNote(drift);
    if (note) notes.push(note);
  } else if (baseline) {
    markdown = `> **Baseline mode:** ${baseline.refused}\n\n${markdown}`;
    notes.push(`Baseline mode: ${baseline.refused}`);
  }
  const reportPath = path.join(config.outputDir, REPORT_FILE);
  await writeFile(reportPath, markdown);
  core.setOutput(Outputs.ReportPath, reportPath);
  const htmlPath = path.join(config.outputDir, HTML_REPORT_FILE);
  await writeFile(
    htmlPath,
    renderHtml(verdict, context, {
      notes,
      // Baseline mode charts the refreshed history, this night included.
      history: baseline && 'written' in baseline ? baseline.written : previous,
      gatedMetrics: config.judge.gatedMetrics,
      ...(drift !== undefined ? { drift } : {}),
    }),
  );
  core.setOutput(Outputs.HtmlReportPath, htmlPath);

  await publishReport(config, deps, markdown, verdict.outcome, aggregate);
  if (baseline && 'refused' in baseline)
    throw new ActionFailure(baseline.refused, 'Baseline not refreshed');
  concludeVerdict(core, verdict, config);
}

/** Outputs, comment.json, the job summary and the sticky comment: the same for every check. */
async function publishReport(
  config: MeasureConfig,
  deps: ActionDependencies,
  markdown: string,
  outcome: Verdict['outcome'],
  aggregate: TrialAggregate,
): Promise<void> {
  const { core } = deps;
  const figures = headlineFigures(outcome, aggregate.metrics);
  setHeadlineOutputs(core, figures);
  const pullRequest = deps.context.pullRequest;
  const request: CommentRequest = {
    kind: COMMENT_REQUEST_KIND,
    version: COMMENT_REQUEST_VERSION,
    baselineName: config.baseline.name,
    pullRequest: pullRequest?.number ?? null,
    headSha: pullRequest?.headSha || deps.context.sha,
    figures,
    markdown,
  };
  await writeFile(
    path.join(config.outputDir, COMMENT_REQUEST_FILE),
    `${JSON.stringify(request, null, 2)}\n`,
  );

  await writeJobSummary(core, markdown);
  const repo = deps.context.repo;
  if (pullRequest && repo) {
    const commented = await upsertStickyComment(deps.github(config.githubToken), core, {
      ...repo,
      issueNumber: pullRequest.number,
      marker: commentMarker(config.baseline.name),
      markdown,
      regression: outcome === 'regression',
      policy: config.comment,
    });
    if (commented.action === 'created' || commented.action === 'updated')
      core.setOutput(Outputs.CommentUrl, commented.url);
  } else {
    core.info('Not a pull request: the report is in the job summary only.');
  }
}

/** Compare-to picked the base: both sides measured here, the paired report published. */
async function measurePairedAndReport(
  config: MeasureConfig,
  deps: ActionDependencies,
  previous: Baseline | null,
  choice: ReferenceChoice,
): Promise<void> {
  const { core } = deps;
  let paired: PairedOutcome;
  try {
    paired = await measurePaired(config, deps, previous, choice, compareOptionsOf(config));
  } catch (error) {
    const message = maskSecrets(error instanceof Error ? error.message : String(error), config);
    await writeJobSummary(
      core,
      `## ⚠️ Load test \`${config.baseline.name}\`: did not complete\n\n\`\`\`text\n${message}\n\`\`\`\n\nThe services' logs are in the post step's output.\n`,
    );
    if (error instanceof ActionFailure) throw error;
    throw new ActionFailure(message, 'Load test did not complete');
  }
  const resultPath = path.join(config.outputDir, RESULT_FILE);
  await writeTrialSet(resultPath, paired.head);
  core.setOutput(Outputs.ResultPath, resultPath);
  const reportPath = path.join(config.outputDir, REPORT_FILE);
  await writeFile(reportPath, paired.markdown);
  core.setOutput(Outputs.ReportPath, reportPath);
  const htmlPath = path.join(config.outputDir, HTML_REPORT_FILE);
  await writeFile(htmlPath, paired.html);
  core.setOutput(Outputs.HtmlReportPath, htmlPath);
  await publishReport(config, deps, paired.markdown, paired.verdict.outcome, paired.head);
  concludeVerdict(core, paired.verdict, config);
}

/** The step's outcome: an annotation for anything but a pass; a failure when the inputs ask. */
function concludeVerdict(
  core: ActionCore,
  verdict: Pick<Verdict, 'outcome' | 'summary' | 'reasons'>,
  config: MeasureConfig,
): void {
  const details = [verdict.summary, ...verdict.reasons].join('\n');
  if (verdict.outcome === 'pass') {
    core.info(verdict.summary);
    return;
  }
  const judging = config.mode === 'check';
  if (verdict.outcome === 'regression') {
    const title = `Performance regression (baseline ${config.baseline.name})`;
    if (judging && config.judge.failOnRegression) throw new ActionFailure(details, title);
    core.warning(details, { title });
    return;
  }
  // A first baseline is inconclusive by nature ("no baseline"): nothing to warn about.
  if (!judging) return;
  const title = `Load test inconclusive (baseline ${config.baseline.name})`;
  if (config.judge.failOnInconclusive) throw new ActionFailure(details, title);
  core.warning(details, { title });
}

/** The main step: inputs, then either measure-and-report or, in mode comment, only the comment. */
export async function runAction(deps: ActionDependencies): Promise<void> {
  const config = readActionConfig(deps.core, deps);
  for (const secret of config.secrets) deps.core.setSecret(secret);
  if (config.mode === 'comment') {
    await postCommentOnly(config, deps);
    return;
  }
  await measureAndReport(config, deps);
}
