import { describe, expect, it } from 'vitest';
import type { Shift } from '../../compare/drift.js';
import { fakeCore, fakeGitHub } from '../testing.js';
import { driftIssueMarker, ISSUES_PER_PAGE, upsertDriftIssue } from './drift-issue.js';

const shift = (firstAfter: string, worse = true): Shift => ({
  metric: 'p50',
  index: 30,
  lastBefore: { date: '2026-01-30T02:00:00.000Z', commit: 'a'.repeat(40) },
  firstAfter: { date: firstAfter, commit: 'b'.repeat(40) },
  beforeMedian: 10,
  afterMedian: 13,
  changePercent: 30,
  worse,
  score: 7.2,
  nightsSince: 8,
});
const MARKER = driftIssueMarker('nightly');
const request = (shifts: Shift[]) => ({
  owner: 'o',
  repo: 'r',
  marker: MARKER,
  title: 'Performance drift in baseline nightly',
  markdown: 'report',
  shifts,
});

describe('upsertDriftIssue', () => {
  it('ignores a marked issue written by someone else, and finds ours past a full page', async () => {
    const github = fakeGitHub();
    const core = fakeCore();
    await upsertDriftIssue(github, core, request([shift('2026-01-31T02:00:00.000Z')]));
    for (let i = 0; i < ISSUES_PER_PAGE; i++) {
      github.issues.push({
        number: 100 + i,
        title: 'other',
        body: i === 0 ? `${MARKER} pasted` : 'other',
        state: 'open',
        htmlUrl: '',
        authorLogin: 'someone',
      });
    }
    const outcome = await upsertDriftIssue(
      github,
      core,
      request([shift('2026-01-31T02:00:00.000Z')]),
    );
    expect(outcome).toEqual({ action: 'updated', url: 'https://github.test/issues/1' });
    expect(github.calls).toContain('list issues all page 2');
    expect(github.issues.find((issue) => issue.number === 100)!.body).toBe(`${MARKER} pasted`);
  });

  it('leaves a closed issue closed when it named the shifts (a day or two apart), else opens a new one', async () => {
    const github = fakeGitHub();
    const core = fakeCore();
    await upsertDriftIssue(github, core, request([shift('2026-01-31T02:00:00.000Z')]));
    github.issues[0]!.state = 'closed';
    const same = await upsertDriftIssue(github, core, request([shift('2026-02-01T02:00:00.000Z')]));
    expect(same).toEqual({ action: 'skipped', reason: 'closed issue already named these shifts' });
    const later = await upsertDriftIssue(
      github,
      core,
      request([shift('2026-02-20T02:00:00.000Z')]),
    );
    expect(later.action).toBe('created');
    expect(github.issues.map((issue) => issue.state)).toEqual(['closed', 'open']);
  });

  it('does nothing without a recent shift', async () => {
    const github = fakeGitHub();
    expect(await upsertDriftIssue(github, fakeCore(), request([]))).toEqual({
      action: 'skipped',
      reason: 'no recent shift',
    });
    expect(github.calls).toEqual([]);
  });
});
