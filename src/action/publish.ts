import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CheckResult } from '../check/check.js';
import { commentMarker } from '../report/markdown.js';
import {
  COMMENT_REQUEST_FILE,
  COMMENT_REQUEST_KIND,
  COMMENT_REQUEST_VERSION,
  Outputs,
} from './constants.js';
import type { ActionDependencies } from './dependencies.js';
import { upsertStickyComment } from './github/comment.js';
import { writeJobSummary } from './github/summary.js';
import type { MeasureConfig } from './inputs.js';
import { headlineFigures, setHeadlineOutputs, type CommentRequest } from './outputs.js';

/** Outputs, comment.json, the job summary and the sticky comment: the same for every check. */
export async function publishReport(
  config: MeasureConfig,
  deps: ActionDependencies,
  markdown: string,
  result: CheckResult,
): Promise<void> {
  const { core } = deps;
  const outcome = result.judgement.outcome;
  const figures = headlineFigures(outcome, result.head.metrics);
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
  if (!pullRequest || !repo) {
    core.info('Not a pull request: the report is in the job summary only.');
    return;
  }
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
}
