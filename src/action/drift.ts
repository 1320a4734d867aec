import type { Baseline } from '../compare/baseline.js';
import { analyseDrift, recentShifts, type DriftAnalysis } from '../compare/drift.js';
import type { MetricId } from '../compare/metrics.js';
import { baselineShiftNote, renderDriftIssue, renderDriftMarkdown } from '../report/drift.js';
import type { ActionDependencies } from './dependencies.js';
import { driftIssueMarker, upsertDriftIssue } from './github/drift-issue.js';
import type { MeasureConfig } from './inputs.js';

/** Drift where people look: the nightly job's summary and issue, and a pull request's report. */

const driftOptions = (gated: MetricId[] | null) => (gated ? { metrics: gated } : {});

/**
 * Mode check: the report with one line after its heading when the baseline it is compared with
 * shifted within the recent nights, so a pull request is not blamed for a shift that landed
 * before it.
 */
export function withBaselineDriftNote(
  markdown: string,
  baseline: Baseline | null,
  gated: MetricId[] | null,
  analysis: DriftAnalysis | null = baseline ? analyseDrift(baseline, driftOptions(gated)) : null,
): string {
  if (!analysis) return markdown;
  const note = baselineShiftNote(recentShifts(analysis));
  if (!note) return markdown;
  // After the verdict's heading (the hidden marker line may precede it).
  const heading = /^#{1,6} .*$/m.exec(markdown);
  if (!heading) return `${note}\n\n${markdown}`;
  const end = heading.index + heading[0].length;
  return `${markdown.slice(0, end)}\n\n${note}\n${markdown.slice(end)}`;
}

/** The baseline's drift analysis over the gated metrics, or null without a baseline. */
export function baselineDrift(
  baseline: Baseline | null,
  gated: MetricId[] | null,
): DriftAnalysis | null {
  return baseline ? analyseDrift(baseline, driftOptions(gated)) : null;
}

/** withBaselineDriftNote's line as plain text (report.html); null without a recent shift. */
export function baselineDriftNote(analysis: DriftAnalysis | null): string | null {
  const note = analysis ? baselineShiftNote(recentShifts(analysis)) : null;
  return note ? note.replace(/^> /, '').replace(/\*\*/g, '').replace(/`/g, '') : null;
}

/**
 * Mode baseline, once the refreshed baseline is written: the report gains the nightly trend, and
 * a recent shift opens or updates the baseline's drift issue (input drift-issue).
 */
export async function reportBaselineDrift(
  config: MeasureConfig,
  deps: ActionDependencies,
  written: Baseline,
  markdown: string,
): Promise<string> {
  const analysis = analyseDrift(written, driftOptions(config.judge.gatedMetrics));
  const recent = recentShifts(analysis);
  const withTrend = `${markdown.trimEnd()}\n\n${renderDriftMarkdown(analysis)}`;
  if (recent.length === 0) return withTrend;
  const repo = deps.context.repo;
  if (!config.driftIssue) {
    deps.core.info(
      `${recent.length} recent shift(s) in the nightly figures; drift-issue is false, so no issue.`,
    );
  } else if (!repo) {
    deps.core.info(
      `${recent.length} recent shift(s) in the nightly figures; no repository to open an issue in.`,
    );
  } else {
    const { title, markdown: issue } = renderDriftIssue(analysis, recent, deps.context.runUrl);
    await upsertDriftIssue(deps.github(config.githubToken), deps.core, {
      ...repo,
      marker: driftIssueMarker(config.baseline.name),
      title,
      markdown: issue,
      shifts: recent,
    });
  }
  return withTrend;
}
