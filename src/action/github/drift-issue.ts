import type { Shift } from '../../compare/drift.js';
import { TOOL_NAME } from '../../engine/version.js';
import { MAX_COMMENT_CHARS } from '../constants.js';
import type { ActionCore } from '../core.js';
import { statusOf, type GitHubApi, type Issue, type RepoRef } from './api.js';

export const ISSUES_PER_PAGE = 100;
/**
 * Pages of issues searched for ours, newest first: 3,000 issues. Ours is updated while a shift is
 * recent, so it is rarely far down; the bound keeps a huge repository from costing hundreds of
 * calls a night, at the price of a second issue there after 3,000 newer ones.
 */
export const MAX_ISSUE_PAGES = 30;
/**
 * A closed issue already named a shift when it lists the same metric and direction with a first
 * night this close: the estimated night moves by a day or two as nights are added.
 */
export const SAME_SHIFT_DAYS = 3;

/** The hidden first line of the drift issue of one baseline; found by it AND by its author. */
export function driftIssueMarker(name: string): string {
  return `<!-- ${TOOL_NAME}:drift:${name.replace(/-{2,}/g, '-').replace(/>/g, '')} -->`;
}

const SHIFTS_PREFIX = `<!-- ${TOOL_NAME}:shifts `;

/** One shift as the issue records it, hidden, to tell a shift it named from a new one. */
const shiftKey = (shift: Shift): string =>
  `${shift.metric}/${shift.worse ? 'worse' : 'better'}/${shift.firstAfter.date}`;

function recordedKeys(body: string): string[] {
  const start = body.indexOf(SHIFTS_PREFIX);
  if (start < 0) return [];
  const end = body.indexOf(' -->', start);
  return body.slice(start + SHIFTS_PREFIX.length, end < 0 ? undefined : end).split(' ');
}

function alreadyNamed(shift: Shift, keys: readonly string[]): boolean {
  const [metric, direction] = shiftKey(shift).split('/');
  const when = Date.parse(shift.firstAfter.date);
  return keys.some((key) => {
    const [keyMetric, keyDirection, date = ''] = key.split('/');
    return (
      keyMetric === metric &&
      keyDirection === direction &&
      Math.abs(Date.parse(date) - when) <= SAME_SHIFT_DAYS * 86_400_000
    );
  });
}

export interface DriftIssueRequest extends RepoRef {
  marker: string;
  title: string;
  /** The report of the shifts (markdown), without the marker. */
  markdown: string;
  /** The recent shifts the issue is about. */
  shifts: readonly Shift[];
}

export type DriftIssueOutcome =
  | { action: 'created' | 'updated'; url: string }
  | { action: 'skipped'; reason: string }
  | { action: 'not-posted'; reason: string };

type Log = Pick<ActionCore, 'info' | 'warning'>;

/**
 * The newest issue carrying the marker AND written by the token's own account (as the sticky
 * comment: a marker anyone can paste must not choose what we overwrite), open or closed.
 */
export async function findDriftIssue(
  api: GitHubApi,
  ref: RepoRef,
  marker: string,
): Promise<Issue | null> {
  let viewer: string | null = null;
  for (let page = 1; page <= MAX_ISSUE_PAGES; page++) {
    const { issues, pullRequests } = await api.listIssues({
      ...ref,
      state: 'all',
      page,
      perPage: ISSUES_PER_PAGE,
    });
    for (const issue of issues.filter((item) => item.body.includes(marker))) {
      viewer ??= await api.viewerLogin();
      if (issue.authorLogin?.toLowerCase() === viewer.toLowerCase()) return issue;
    }
    if (issues.length + pullRequests < ISSUES_PER_PAGE) return null;
  }
  return null;
}

export function driftIssueBody(
  request: Pick<DriftIssueRequest, 'marker' | 'markdown' | 'shifts'>,
): string {
  const hidden = `${SHIFTS_PREFIX}${request.shifts.map(shiftKey).join(' ')} -->`;
  const body = `${request.marker}\n${hidden}\n${request.markdown}`;
  return body.length <= MAX_COMMENT_CHARS ? body : body.slice(0, MAX_COMMENT_CHARS);
}

/**
 * One issue per baseline about its recent shifts: the open one is updated (its figures move
 * nightly); a closed one that already named every shift is left closed (someone dealt with it);
 * else a new one is opened. A failed call (403 without `issues: write` above all) is a warning,
 * never a failure of the nightly job, whose baseline is already written.
 */
export async function upsertDriftIssue(
  api: GitHubApi,
  log: Log,
  request: DriftIssueRequest,
): Promise<DriftIssueOutcome> {
  if (request.shifts.length === 0) return { action: 'skipped', reason: 'no recent shift' };
  const { owner, repo, title } = request;
  const body = driftIssueBody(request);
  try {
    const existing = await findDriftIssue(api, { owner, repo }, request.marker);
    if (existing?.state === 'open') {
      const updated = await api.updateIssue({
        owner,
        repo,
        issueNumber: existing.number,
        title,
        body,
      });
      log.info(`Updated the drift issue: ${updated.htmlUrl}`);
      return { action: 'updated', url: updated.htmlUrl };
    }
    if (existing) {
      const keys = recordedKeys(existing.body);
      if (request.shifts.every((shift) => alreadyNamed(shift, keys))) {
        log.info(
          `The drift issue ${existing.htmlUrl} named these shifts and was closed: left closed.`,
        );
        return { action: 'skipped', reason: 'closed issue already named these shifts' };
      }
    }
    const created = await api.createIssue({ owner, repo, title, body });
    log.info(`Opened the drift issue: ${created.htmlUrl}`);
    return { action: 'created', url: created.htmlUrl };
  } catch (error) {
    const status = statusOf(error);
    const message =
      status === 403
        ? 'The drift issue was not opened or updated: the token may not write issues (403). Grant `permissions: issues: write` to the nightly job, or set `drift-issue: false`; the job summary has the trend.'
        : `The drift issue was not opened or updated (${status ?? 'no HTTP status'}: ${error instanceof Error ? error.message : String(error)}); the job summary has the trend.`;
    log.warning(message, { title: 'Drift issue not posted' });
    return {
      action: 'not-posted',
      reason: status === 403 ? 'forbidden' : `HTTP ${status ?? 'error'}`,
    };
  }
}
