import { describe, expect, it } from 'vitest';
import { MAX_COMMENT_CHARS } from '../constants.js';
import { addNoise, fakeCore, fakeGitHub } from '../testing.js';
import {
  commentBody,
  COMMENTS_PER_PAGE,
  upsertStickyComment,
  type StickyCommentRequest,
} from './comment.js';

const MARKER = '<!-- ethhook-load-test:quick -->';
const ref = { owner: 'o', repo: 'r', issueNumber: 7 };

function request(overrides: Partial<StickyCommentRequest> = {}): StickyCommentRequest {
  return {
    ...ref,
    marker: MARKER,
    markdown: '## PASS',
    regression: false,
    policy: 'always',
    ...overrides,
  };
}

describe('upsertStickyComment', () => {
  it('creates the comment when absent, then updates the same one', async () => {
    const api = fakeGitHub();
    const core = fakeCore();
    const first = await upsertStickyComment(api, core, request());
    expect(first).toEqual({ action: 'created', url: expect.any(String) });
    const second = await upsertStickyComment(api, core, request({ markdown: '## FAIL' }));
    expect(second).toEqual({ action: 'updated', url: first.action === 'created' ? first.url : '' });
    const comments = api.comments.get(7) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toBe(`${MARKER}\n## FAIL`);
  });

  it('pages through every comment to find the marked one', async () => {
    const api = fakeGitHub();
    addNoise(api, 7, COMMENTS_PER_PAGE);
    await upsertStickyComment(api, fakeCore(), request());
    addNoise(api, 7, COMMENTS_PER_PAGE + 5);
    api.calls.length = 0;
    const outcome = await upsertStickyComment(api, fakeCore(), request({ markdown: 'again' }));
    expect(outcome.action).toBe('updated');
    expect(api.calls).toEqual(['list #7 page 1', 'list #7 page 2', 'viewer', `update 1`]);
  });

  it('stops paging at a short page when there is no marked comment', async () => {
    const api = fakeGitHub();
    addNoise(api, 7, COMMENTS_PER_PAGE * 2);
    await upsertStickyComment(api, fakeCore(), request());
    expect(api.calls).toEqual(['list #7 page 1', 'list #7 page 2', 'list #7 page 3', 'create #7']);
  });

  it('leaves a marked comment by another account alone and creates its own', async () => {
    const api = fakeGitHub();
    addNoise(api, 7, 1, () => `${MARKER}\nplanted by someone else`);
    const core = fakeCore();
    const outcome = await upsertStickyComment(api, core, request({ markdown: '## PASS' }));
    expect(outcome.action).toBe('created');
    const comments = api.comments.get(7) ?? [];
    expect(comments.map((comment) => [comment.authorLogin, comment.body])).toEqual([
      ['someone', `${MARKER}\nplanted by someone else`],
      ['github-actions[bot]', `${MARKER}\n## PASS`],
    ]);
    expect(api.calls).toEqual(['list #7 page 1', 'viewer', 'create #7']);
    expect(core.lines).toContain(
      "Left alone 1 comment(s) carrying the load-test marker but not written by github-actions[bot], the token's account.",
    );

    // The next run updates its own comment, still not the planted one.
    await upsertStickyComment(api, fakeCore(), request({ markdown: '## FAIL' }));
    expect(comments.map((comment) => comment.body)).toEqual([
      `${MARKER}\nplanted by someone else`,
      `${MARKER}\n## FAIL`,
    ]);
  });

  it("finds the token's comment whatever the case of its login", async () => {
    const api = fakeGitHub();
    api.viewer = 'Load-Bot';
    await upsertStickyComment(api, fakeCore(), request());
    api.viewer = 'load-bot';
    expect((await upsertStickyComment(api, fakeCore(), request())).action).toBe('updated');
    expect(api.comments.get(7)).toHaveLength(1);
  });

  it('asks who the token is only when a marked comment turns up', async () => {
    const api = fakeGitHub();
    addNoise(api, 7, 3);
    await upsertStickyComment(api, fakeCore(), request());
    expect(api.calls).toEqual(['list #7 page 1', 'create #7']);
  });

  it('keeps one comment per baseline name', async () => {
    const api = fakeGitHub();
    await upsertStickyComment(api, fakeCore(), request());
    await upsertStickyComment(
      api,
      fakeCore(),
      request({ marker: '<!-- ethhook-load-test:burst -->' }),
    );
    expect(api.comments.get(7)).toHaveLength(2);
  });

  it('on-regression: creates only for a regression, but updates an existing comment', async () => {
    const api = fakeGitHub();
    const skipped = await upsertStickyComment(
      api,
      fakeCore(),
      request({ policy: 'on-regression' }),
    );
    expect(skipped.action).toBe('skipped');
    expect(api.calls).toEqual(['list #7 page 1']);
    const created = await upsertStickyComment(
      api,
      fakeCore(),
      request({ policy: 'on-regression', regression: true, markdown: 'FAIL' }),
    );
    expect(created.action).toBe('created');
    const updated = await upsertStickyComment(
      api,
      fakeCore(),
      request({ policy: 'on-regression', markdown: 'fixed: PASS' }),
    );
    expect(updated.action).toBe('updated');
    expect(api.comments.get(7)?.[0]?.body).toContain('fixed: PASS');
  });

  it('never: no API call at all', async () => {
    const api = fakeGitHub();
    expect(
      await upsertStickyComment(api, fakeCore(), request({ policy: 'never', regression: true })),
    ).toEqual({
      action: 'skipped',
      reason: 'comment: never',
    });
    expect(api.calls).toEqual([]);
  });

  it('a 403 (fork pull request, read-only token) is a warning, never a failure', async () => {
    const api = fakeGitHub();
    api.failWrites = 403;
    const core = fakeCore();
    const outcome = await upsertStickyComment(api, core, request());
    expect(outcome).toEqual({ action: 'not-posted', reason: 'forbidden' });
    expect(core.annotations).toHaveLength(1);
    expect(core.annotations[0]).toMatchObject({
      level: 'warning',
      properties: { title: 'Load-test comment not posted' },
    });
    expect(core.annotations[0]?.message).toContain('forks');
    expect(core.annotations[0]?.message).toContain('job summary');
  });

  it('other API failures are warnings too, with the status', async () => {
    const api = fakeGitHub();
    api.failWrites = 502;
    const core = fakeCore();
    expect((await upsertStickyComment(api, core, request())).action).toBe('not-posted');
    expect(core.annotations[0]?.message).toContain('502');
  });
});

describe('commentBody', () => {
  it('puts the marker first and does not repeat one the report already has', () => {
    expect(commentBody(MARKER, 'report')).toBe(`${MARKER}\nreport`);
    expect(commentBody(MARKER, `${MARKER}\nreport`)).toBe(`${MARKER}\nreport`);
  });

  it('stays within GitHub’s limit, keeping the marker', () => {
    const body = commentBody(MARKER, 'x'.repeat(MAX_COMMENT_CHARS * 2));
    expect(body.length).toBe(MAX_COMMENT_CHARS);
    expect(body.startsWith(MARKER)).toBe(true);
    expect(body).toContain('job summary has the full report');
  });
});
