/**
 * Test doubles of the action's side-effect interfaces (runner, exec, GitHub). Imported by the
 * unit tests only; the entry points never reach this module, so it is not in the bundle.
 */
import type { ActionCore, AnnotationProperties } from './core.js';
import type { GitHubApi, Issue, IssueComment } from './github/api.js';
export { recordingExec, type RecordedCall } from '../services/testing.js';

export interface RecordedAnnotation {
  level: 'warning' | 'error' | 'failed';
  message: string;
  properties?: AnnotationProperties;
}

export interface FakeCore extends ActionCore {
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  state: Record<string, string>;
  secrets: string[];
  lines: string[];
  groups: string[];
  annotations: RecordedAnnotation[];
  summary: string[];
  summaryFails: boolean;
}

export function fakeCore(
  inputs: Record<string, string> = {},
  state: Record<string, string> = {},
): FakeCore {
  const fake: FakeCore = {
    inputs: { ...inputs },
    outputs: {},
    state: { ...state },
    secrets: [],
    lines: [],
    groups: [],
    annotations: [],
    summary: [],
    summaryFails: false,
    getInput: (name) => (fake.inputs[name] ?? '').trim(),
    setOutput: (name, value) => {
      fake.outputs[name] = value;
    },
    saveState: (name, value) => {
      fake.state[name] = value;
    },
    getState: (name) => fake.state[name] ?? '',
    setSecret: (secret) => {
      fake.secrets.push(secret);
    },
    info: (message) => {
      fake.lines.push(message);
    },
    warning: (message, properties) => {
      fake.annotations.push({ level: 'warning', message, ...(properties ? { properties } : {}) });
    },
    error: (message, properties) => {
      fake.annotations.push({ level: 'error', message, ...(properties ? { properties } : {}) });
    },
    setFailed: (message, properties) => {
      fake.annotations.push({ level: 'failed', message, ...(properties ? { properties } : {}) });
    },
    group: async (title, work) => {
      fake.groups.push(title);
      return work();
    },
    appendSummary: async (markdown) => {
      if (fake.summaryFails)
        throw new Error('Unable to find environment variable for $GITHUB_STEP_SUMMARY');
      fake.summary.push(markdown);
    },
  };
  return fake;
}

export interface FakeGitHub extends GitHubApi {
  comments: Map<number, (IssueComment & { issueNumber: number })[]>;
  calls: string[];
  /** Make every write answer with this status. */
  failWrites: number | null;
  pullHeads: Map<number, string>;
  /** The token's account: the author of the comments and issues it creates. */
  viewer: string;
  /** The repository's issues, oldest first (listed newest first, as asked). */
  issues: Issue[];
}

class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export function fakeGitHub(): FakeGitHub {
  let nextId = 1;
  const fake: FakeGitHub = {
    comments: new Map(),
    calls: [],
    failWrites: null,
    pullHeads: new Map(),
    viewer: 'github-actions[bot]',
    issues: [],
    async listIssues({ page, perPage, state }) {
      fake.calls.push(`list issues ${state} page ${page}`);
      const newestFirst = [...fake.issues]
        .reverse()
        .filter((issue) => state === 'all' || issue.state === 'open');
      return { issues: newestFirst.slice((page - 1) * perPage, page * perPage), pullRequests: 0 };
    },
    async createIssue({ title, body }) {
      fake.calls.push('create issue');
      if (fake.failWrites) throw new HttpError(fake.failWrites);
      const number = fake.issues.length + 1;
      const issue: Issue = {
        number,
        title,
        body,
        state: 'open',
        htmlUrl: `https://github.test/issues/${number}`,
        authorLogin: fake.viewer,
      };
      fake.issues.push(issue);
      return issue;
    },
    async updateIssue({ issueNumber, title, body }) {
      fake.calls.push(`update issue #${issueNumber}`);
      if (fake.failWrites) throw new HttpError(fake.failWrites);
      const issue = fake.issues.find((item) => item.number === issueNumber);
      if (!issue) throw new HttpError(404);
      Object.assign(issue, { title, body });
      return issue;
    },
    async listIssueComments({ issueNumber, page, perPage }) {
      fake.calls.push(`list #${issueNumber} page ${page}`);
      const all = fake.comments.get(issueNumber) ?? [];
      return all.slice((page - 1) * perPage, page * perPage);
    },
    async createIssueComment({ issueNumber, body }) {
      fake.calls.push(`create #${issueNumber}`);
      if (fake.failWrites) throw new HttpError(fake.failWrites);
      const comment = {
        id: nextId++,
        body,
        htmlUrl: `https://github.test/c/${nextId}`,
        authorLogin: fake.viewer,
        issueNumber,
      };
      fake.comments.set(issueNumber, [...(fake.comments.get(issueNumber) ?? []), comment]);
      return comment;
    },
    async updateIssueComment({ commentId, body }) {
      fake.calls.push(`update ${commentId}`);
      if (fake.failWrites) throw new HttpError(fake.failWrites);
      for (const list of fake.comments.values()) {
        const comment = list.find((item) => item.id === commentId);
        if (comment) {
          comment.body = body;
          return comment;
        }
      }
      throw new HttpError(404);
    },
    async getPullRequest({ pullNumber }) {
      fake.calls.push(`get pull #${pullNumber}`);
      const headSha = fake.pullHeads.get(pullNumber);
      if (!headSha) throw new HttpError(404);
      return { number: pullNumber, headSha };
    },
    async viewerLogin() {
      fake.calls.push('viewer');
      return fake.viewer;
    },
  };
  return fake;
}

/**
 * Adds `count` comments by another account to an issue (to make the marked one sit on a later
 * page), with `body` as their text.
 */
export function addNoise(
  fake: FakeGitHub,
  issueNumber: number,
  count: number,
  body: (index: number) => string = (index) => `noise ${index}`,
): void {
  const list = fake.comments.get(issueNumber) ?? [];
  for (let i = 0; i < count; i++) {
    list.push({
      id: 10_000 + list.length,
      body: body(i),
      htmlUrl: `https://github.test/n/${i}`,
      authorLogin: 'someone',
      issueNumber,
    });
  }
  fake.comments.set(issueNumber, list);
}
