import type { ActionCore } from '../core.js';
import { MAX_COMMENT_CHARS, type CommentPolicy } from '../constants.js';
import { statusOf, type GitHubApi, type IssueComment, type RepoRef } from './api.js';

export const COMMENTS_PER_PAGE = 100;

export interface StickyCommentRequest extends RepoRef {
  issueNumber: number;
  /** The hidden marker of this baseline's comment (src/report commentMarker(name)). */
  marker: string;
  markdown: string;
  regression: boolean;
  policy: CommentPolicy;
}

export type StickyCommentOutcome =
  | { action: 'created' | 'updated'; url: string }
  | { action: 'skipped'; reason: string }
  | { action: 'not-posted'; reason: string };

type Log = Pick<ActionCore, 'info' | 'warning'>;

const NOT_POSTED_TITLE = 'Load-test comment not posted';

/**
 * Ours is the comment that carries the marker AND was written by the token's own account: the
 * marker is plain text anyone can paste, and editing a comment found by it alone would let
 * anyone who can comment choose which comment we overwrite (with GITHUB_TOKEN, even one of a
 * maintainer). Logins compare as GitHub compares them, case-insensitively. Who the token is gets
 * asked only once a marked comment turns up, so a pull request without one costs no extra call.
 * Walks every page: a long-lived pull request has more comments than one page holds.
 */
export async function findMarkedComment(
  api: GitHubApi,
  ref: RepoRef & { issueNumber: number },
  marker: string,
  log: Pick<Log, 'info'>,
): Promise<IssueComment | null> {
  let viewer: string | null = null;
  let foreign = 0;
  for (let page = 1; ; page++) {
    const comments = await api.listIssueComments({ ...ref, page, perPage: COMMENTS_PER_PAGE });
    for (const comment of comments.filter((item) => item.body.includes(marker))) {
      viewer ??= await api.viewerLogin();
      if (comment.authorLogin?.toLowerCase() === viewer.toLowerCase()) return comment;
      foreign += 1;
    }
    if (comments.length < COMMENTS_PER_PAGE) {
      if (foreign > 0) {
        log.info(
          `Left alone ${foreign} comment(s) carrying the load-test marker but not written by ${viewer}, the token's account.`,
        );
      }
      return null;
    }
  }
}

const TRUNCATION_NOTE =
  "\n\n…(cut to fit GitHub's comment limit; the job summary has the full report)";

/** The marker first (so it survives a cut), the report after, within GitHub's limit. */
export function commentBody(marker: string, markdown: string): string {
  const report = markdown.includes(marker) ? markdown.replace(marker, '').trimStart() : markdown;
  const body = `${marker}\n${report}`;
  if (body.length <= MAX_COMMENT_CHARS) return body;
  return body.slice(0, MAX_COMMENT_CHARS - TRUNCATION_NOTE.length) + TRUNCATION_NOTE;
}

function notPostedWarning(status: number | null, error: unknown): string {
  if (status === 403) {
    return 'The pull request comment was not posted: the token may not write to this pull request (403). This is expected for pull requests from forks, whose token is read-only; the job summary has the report. To comment on fork pull requests, use the two-stage pattern (mode: comment in a workflow_run job). Otherwise grant `permissions: pull-requests: write`.';
  }
  const message = error instanceof Error ? error.message : String(error);
  return `The pull request comment was not posted (${status ?? 'no HTTP status'}: ${message}); the job summary has the report.`;
}

/**
 * One comment per baseline name on the pull request, found by its hidden marker and updated in
 * place, created when absent. `on-regression` creates it only for a regression but still updates
 * an existing one, so a fixed pull request never keeps showing a stale FAIL. A failed API call
 * (403 on a fork's read-only token above all) is a warning, never a failure of the step.
 */
export async function upsertStickyComment(
  api: GitHubApi,
  log: Log,
  request: StickyCommentRequest,
): Promise<StickyCommentOutcome> {
  if (request.policy === 'never') return { action: 'skipped', reason: 'comment: never' };
  const { owner, repo, issueNumber } = request;
  const body = commentBody(request.marker, request.markdown);
  try {
    const existing = await findMarkedComment(
      api,
      { owner, repo, issueNumber },
      request.marker,
      log,
    );
    if (existing) {
      const updated = await api.updateIssueComment({ owner, repo, commentId: existing.id, body });
      log.info(`Updated the load-test comment: ${updated.htmlUrl}`);
      return { action: 'updated', url: updated.htmlUrl };
    }
    if (request.policy === 'on-regression' && !request.regression) {
      return { action: 'skipped', reason: 'comment: on-regression and no regression' };
    }
    const created = await api.createIssueComment({ owner, repo, issueNumber, body });
    log.info(`Posted the load-test comment: ${created.htmlUrl}`);
    return { action: 'created', url: created.htmlUrl };
  } catch (error) {
    const status = statusOf(error);
    log.warning(notPostedWarning(status, error), { title: NOT_POSTED_TITLE });
    return {
      action: 'not-posted',
      reason: status === 403 ? 'forbidden' : `HTTP ${status ?? 'error'}`,
    };
  }
}
