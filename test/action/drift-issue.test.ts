import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Shift } from '../../src/compare/drift.js';
import { fakeCore } from '../../src/action/testing.js';
import { startFakeGitHub, type FakeGitHubServer } from './fake-github.js';

/**
 * The drift issue through the real Octokit against the stand-in REST API: the calls the unit
 * tests' double only imitates (query parameters, pull requests among issues, PATCH by number).
 */
let server: FakeGitHubServer;
let api: import('../../src/action/github/api.js').GitHubApi;
let drift: typeof import('../../src/action/github/drift-issue.js');

beforeAll(async () => {
  server = await startFakeGitHub();
  // @actions/github reads the API URL when it is first imported.
  process.env.GITHUB_API_URL = server.url;
  process.env.GITHUB_GRAPHQL_URL = `${server.url}/graphql`;
  const { octokitApi } = await import('../../src/action/github/api.js');
  drift = await import('../../src/action/github/drift-issue.js');
  api = octokitApi('test-token');
});
afterAll(async () => {
  await server.close();
});

const shift: Shift = {
  metric: 'p50',
  index: 30,
  lastBefore: { date: '2026-01-30T02:00:00.000Z', commit: 'a'.repeat(40) },
  firstAfter: { date: '2026-01-31T02:00:00.000Z', commit: 'b'.repeat(40) },
  beforeMedian: 10,
  afterMedian: 13,
  changePercent: 30,
  worse: true,
  score: 7.2,
  nightsSince: 8,
};

describe('drift issue against the stand-in GitHub API', () => {
  it('creates one issue, then updates it; pull requests and pasted markers are skipped', async () => {
    const marker = drift.driftIssueMarker('nightly');
    server.issues.push(
      {
        number: 1,
        title: 'pr',
        body: marker,
        state: 'open',
        author: server.viewerLogin,
        pullRequest: true,
      },
      {
        number: 2,
        title: 'copy',
        body: marker,
        state: 'open',
        author: 'someone',
        pullRequest: false,
      },
    );
    const request = {
      owner: 'o',
      repo: 'r',
      marker,
      title: 'Drift',
      markdown: 'first',
      shifts: [shift],
    };
    const core = fakeCore();
    expect(await drift.upsertDriftIssue(api, core, request)).toEqual({
      action: 'created',
      url: 'https://github.test/o/r/issues/3',
    });
    expect(
      await drift.upsertDriftIssue(api, core, {
        ...request,
        title: 'Drift again',
        markdown: 'second',
      }),
    ).toEqual({ action: 'updated', url: 'https://github.test/o/r/issues/3' });
    const writes = server.requests.filter((r) => r.method !== 'GET' && r.path !== '/graphql');
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/o/r/issues',
      'PATCH /repos/o/r/issues/3',
    ]);
    expect(
      server.requests.find((r) => r.path === '/repos/o/r/issues' && r.method === 'GET')!.query,
    ).toMatchObject({
      state: 'all',
      sort: 'created',
      direction: 'desc',
      per_page: '100',
    });
    expect(server.issues[2]).toMatchObject({ title: 'Drift again', author: 'github-actions[bot]' });
    expect(server.issues[2]!.body).toMatch(
      /^<!-- ethhook-load-test:drift:nightly -->\n<!-- ethhook-load-test:shifts p50\/worse\/2026-01-31T02:00:00\.000Z -->\nsecond$/,
    );
    expect(server.issues[1]!.body).toBe(marker);
    expect(core.annotations).toEqual([]);
  });

  it('a 403 is a warning naming issues: write', async () => {
    server.forbidWrites = true;
    const core = fakeCore();
    const outcome = await drift.upsertDriftIssue(api, core, {
      owner: 'o',
      repo: 'other',
      marker: drift.driftIssueMarker('other'),
      title: 'Drift',
      markdown: 'x',
      shifts: [shift],
    });
    server.forbidWrites = false;
    expect(outcome).toEqual({ action: 'not-posted', reason: 'forbidden' });
    expect(core.annotations[0]!.message).toContain('`permissions: issues: write`');
  });
});
