import { readFile } from 'node:fs/promises';
import { isValidBaselineName } from '../compare/baseline.js';
import { describeIssues } from '../compare/json-file.js';
import { commentMarker } from '../report/markdown.js';
import {
  COMMENT_REQUEST_KIND,
  COMMENT_REQUEST_VERSION,
  Inputs,
  MAX_COMMENT_CHARS,
  Outputs,
} from './constants.js';
import { ActionFailure } from './failure.js';
import { upsertStickyComment } from './github/comment.js';
import { writeJobSummary } from './github/summary.js';
import type { CommentOnlyConfig } from './inputs.js';
import type { ActionDependencies } from './dependencies.js';
import { commentRequestSchema, setHeadlineOutputs, type CommentRequest } from './outputs.js';

function bad(path: string, problem: string): ActionFailure {
  return new ActionFailure(
    `Invalid input ${Inputs.CommentFile}: ${path} ${problem}. Expected the comment.json that a mode check run wrote into its output-dir.`,
    'Invalid input',
  );
}

/**
 * The file comes from an artifact of a pull_request run, i.e. from code of the pull request:
 * every field is checked, nothing in it is executed, and the marker is ours, not the file's.
 */
export function parseCommentRequest(text: string, path: string): CommentRequest {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw bad(path, 'is not JSON');
  }
  const request = document as Partial<CommentRequest> | null;
  if (!request || typeof request !== 'object' || request.kind !== COMMENT_REQUEST_KIND) {
    throw bad(path, `is not a comment request (kind must be "${COMMENT_REQUEST_KIND}")`);
  }
  if (request.version !== COMMENT_REQUEST_VERSION) {
    throw bad(
      path,
      `has version ${String(request.version)}; this action reads version ${COMMENT_REQUEST_VERSION}`,
    );
  }
  const parsed = commentRequestSchema.safeParse(document, { reportInput: true });
  if (!parsed.success) throw bad(path, `is not valid: ${describeIssues(parsed.error)}`);
  if (!isValidBaselineName(parsed.data.baselineName)) {
    throw bad(path, 'has no valid baselineName');
  }
  if (parsed.data.markdown.length > MAX_COMMENT_CHARS) {
    throw bad(path, `has no markdown report of at most ${MAX_COMMENT_CHARS} characters`);
  }
  return parsed.data;
}

/**
 * Mode comment, the second stage of the fork-safe pattern: runs in a workflow_run job with a
 * write token and never runs code of the pull request. It reads comment.json from the first
 * stage's artifact and posts or updates the sticky comment. A tampered file could at most change
 * the text of the comment on its own pull request: the pull request's head must be the commit
 * the triggering run built, and without such a commit nothing is posted.
 */
export async function postCommentOnly(
  config: CommentOnlyConfig,
  deps: ActionDependencies,
): Promise<void> {
  const { core, context } = deps;
  const request = parseCommentRequest(
    await readFile(config.commentFile, 'utf8'),
    config.commentFile,
  );
  setHeadlineOutputs(core, request.figures);
  await writeJobSummary(core, request.markdown);
  if (request.pullRequest === null) {
    core.info('The first stage did not run for a pull request: nothing to comment on.');
    return;
  }
  if (!context.repo)
    throw new ActionFailure(
      'GITHUB_REPOSITORY is not set: cannot tell which repository to comment on.',
    );
  const expectedHead = context.triggeringHeadSha || context.pullRequest?.headSha || null;
  // Without the commit the first stage built, nothing ties the file to its pull request: a
  // tampered comment.json could put its text on any pull request of the repository.
  if (!expectedHead) {
    throw new ActionFailure(
      `Refusing to comment: event ${context.eventName || '(none)'} carries no head commit to check pull request #${request.pullRequest} (named by ${config.commentFile}) against. Run mode comment in a job triggered by workflow_run, whose event names the commit the first stage built.`,
      'Comment refused',
    );
  }
  const api = deps.github(config.githubToken);
  const pull = await api.getPullRequest({ ...context.repo, pullNumber: request.pullRequest });
  if (pull.headSha !== expectedHead) {
    throw new ActionFailure(
      `Refusing to comment: ${config.commentFile} names pull request #${request.pullRequest}, whose head is ${pull.headSha}, but the run that produced it built ${expectedHead}.`,
      'Comment refused',
    );
  }
  const outcome = await upsertStickyComment(api, core, {
    ...context.repo,
    issueNumber: request.pullRequest,
    marker: commentMarker(request.baselineName),
    markdown: request.markdown,
    regression: request.figures.verdict === 'regression',
    policy: config.comment,
  });
  if (outcome.action === 'created' || outcome.action === 'updated')
    core.setOutput(Outputs.CommentUrl, outcome.url);
}
