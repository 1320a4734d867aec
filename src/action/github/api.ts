import { getOctokit } from '@actions/github';

export interface IssueComment {
  id: number;
  body: string;
  htmlUrl: string;
  /** `user.login` as REST gives it (`github-actions[bot]` for a bot); null for a deleted account. */
  authorLogin: string | null;
}

/** An issue (never a pull request: the listing leaves those out). */
export interface Issue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  htmlUrl: string;
  authorLogin: string | null;
}

export interface RepoRef {
  owner: string;
  repo: string;
}

/**
 * The few REST calls the action makes, Octokit-shaped but narrow, so tests swap in a fake.
 * Failures are thrown as they come (Octokit's RequestError carries `status`).
 */
export interface GitHubApi {
  /** One page of an issue's (or pull request's) comments, oldest first. */
  listIssueComments(
    ref: RepoRef & { issueNumber: number; page: number; perPage: number },
  ): Promise<IssueComment[]>;
  createIssueComment(ref: RepoRef & { issueNumber: number; body: string }): Promise<IssueComment>;
  updateIssueComment(ref: RepoRef & { commentId: number; body: string }): Promise<IssueComment>;
  /**
   * One page of the repository's issues, newest first; `pullRequests` counts the pull requests
   * the page also held (REST lists both), so a caller knows whether the page was full.
   */
  listIssues(
    ref: RepoRef & { state: 'open' | 'all'; page: number; perPage: number },
  ): Promise<{ issues: Issue[]; pullRequests: number }>;
  createIssue(ref: RepoRef & { title: string; body: string }): Promise<Issue>;
  updateIssue(ref: RepoRef & { issueNumber: number; title: string; body: string }): Promise<Issue>;
  getPullRequest(
    ref: RepoRef & { pullNumber: number },
  ): Promise<{ number: number; headSha: string }>;
  /**
   * The login the token acts as, in the form REST gives comment authors (`octocat`,
   * `github-actions[bot]`). GraphQL's `viewer` answers for every kind of token; REST `GET /user`
   * refuses GITHUB_TOKEN and other GitHub App installation tokens (403).
   */
  viewerLogin(): Promise<string>;
}

interface RawComment {
  id: number;
  body?: string | null;
  html_url: string;
  user?: { login: string } | null;
}

const toComment = (raw: RawComment): IssueComment => ({
  id: raw.id,
  body: raw.body ?? '',
  htmlUrl: raw.html_url,
  authorLogin: raw.user?.login ?? null,
});

interface RawIssue {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  html_url: string;
  user?: { login: string } | null;
  pull_request?: unknown;
}

const toIssue = (raw: RawIssue): Issue => ({
  number: raw.number,
  title: raw.title,
  body: raw.body ?? '',
  state: raw.state === 'closed' ? 'closed' : 'open',
  htmlUrl: raw.html_url,
  authorLogin: raw.user?.login ?? null,
});

/** The real API through @actions/github's Octokit, which honours GITHUB_API_URL (GHES, tests). */
export function octokitApi(token: string): GitHubApi {
  const octokit = getOctokit(token);
  return {
    async listIssueComments({ owner, repo, issueNumber, page, perPage }) {
      const response = await octokit.rest.issues.listComments({
        owner,
        repo,
        issue_number: issueNumber,
        page,
        per_page: perPage,
      });
      return response.data.map(toComment);
    },
    async createIssueComment({ owner, repo, issueNumber, body }) {
      const response = await octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: issueNumber,
        body,
      });
      return toComment(response.data);
    },
    async updateIssueComment({ owner, repo, commentId, body }) {
      const response = await octokit.rest.issues.updateComment({
        owner,
        repo,
        comment_id: commentId,
        body,
      });
      return toComment(response.data);
    },
    async listIssues({ owner, repo, state, page, perPage }) {
      const response = await octokit.rest.issues.listForRepo({
        owner,
        repo,
        state,
        sort: 'created',
        direction: 'desc',
        page,
        per_page: perPage,
      });
      const raw = response.data as RawIssue[];
      return {
        issues: raw.filter((item) => !item.pull_request).map(toIssue),
        pullRequests: raw.filter((item) => item.pull_request).length,
      };
    },
    async createIssue({ owner, repo, title, body }) {
      const response = await octokit.rest.issues.create({ owner, repo, title, body });
      return toIssue(response.data as RawIssue);
    },
    async updateIssue({ owner, repo, issueNumber, title, body }) {
      const response = await octokit.rest.issues.update({
        owner,
        repo,
        issue_number: issueNumber,
        title,
        body,
      });
      return toIssue(response.data as RawIssue);
    },
    async getPullRequest({ owner, repo, pullNumber }) {
      const response = await octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber });
      return { number: response.data.number, headSha: response.data.head.sha };
    },
    async viewerLogin() {
      const response = await octokit.graphql<{ viewer: { login: string } }>(
        'query { viewer { login } }',
      );
      return response.viewer.login;
    },
  };
}

/** The HTTP status of a failed API call, when it has one. */
export function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}
