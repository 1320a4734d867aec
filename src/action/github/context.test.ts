import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runContextFrom } from './context.js';

function eventFile(payload: object): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'event-')), 'event.json');
  writeFileSync(file, JSON.stringify(payload));
  return file;
}

describe('runContextFrom', () => {
  it('reads the pull request of a pull_request event', () => {
    const context = runContextFrom({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventFile({ pull_request: { number: 5, head: { sha: 'abc' } } }),
      GITHUB_REPOSITORY: 'ethhook/app',
      GITHUB_SHA: 'merge',
      GITHUB_RUN_ID: '99',
    });
    expect(context).toEqual({
      eventName: 'pull_request',
      repo: { owner: 'ethhook', repo: 'app' },
      pullRequest: { number: 5, headSha: 'abc' },
      triggeringHeadSha: null,
      sha: 'merge',
      runUrl: 'https://github.com/ethhook/app/actions/runs/99',
    });
  });

  it('reads the head commit of the triggering run of a workflow_run event', () => {
    const context = runContextFrom({
      GITHUB_EVENT_NAME: 'workflow_run',
      GITHUB_EVENT_PATH: eventFile({ workflow_run: { head_sha: 'def', pull_requests: [] } }),
      GITHUB_REPOSITORY: 'ethhook/app',
    });
    expect(context.pullRequest).toBeNull();
    expect(context.triggeringHeadSha).toBe('def');
  });

  it('copes with no runner at all', () => {
    expect(runContextFrom({})).toEqual({
      eventName: '',
      repo: null,
      pullRequest: null,
      triggeringHeadSha: null,
      sha: null,
      runUrl: null,
    });
  });
});
