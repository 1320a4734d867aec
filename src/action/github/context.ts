import { readFileSync } from 'node:fs';
import type { RepoRef } from './api.js';

export interface PullRequestRef {
  number: number;
  headSha: string;
}

/** What the action needs to know about the workflow run it is part of. */
export interface RunContext {
  eventName: string;
  repo: RepoRef | null;
  /** The pull request of a pull_request / pull_request_target event; null otherwise. */
  pullRequest: PullRequestRef | null;
  /** For a workflow_run event: the head commit of the run that triggered it. */
  triggeringHeadSha: string | null;
  sha: string | null;
  /** Link to this workflow run, for reports; null outside a runner. */
  runUrl: string | null;
}

type Payload = Record<string, unknown>;

function readPayload(path: string | undefined): Payload {
  if (!path) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Payload) : {};
  } catch {
    return {};
  }
}

function field(object: unknown, key: string): unknown {
  return object && typeof object === 'object' ? (object as Payload)[key] : undefined;
}

/** From the runner's environment (GITHUB_*) and the event payload file. */
export function runContextFrom(env: NodeJS.ProcessEnv): RunContext {
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const payload = readPayload(env.GITHUB_EVENT_PATH);
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const pull = field(payload, 'pull_request');
  const pullNumber = field(pull, 'number');
  const pullHeadSha = field(field(pull, 'head'), 'sha');
  const workflowRunHeadSha = field(field(payload, 'workflow_run'), 'head_sha');
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    eventName,
    repo: owner && repo ? { owner, repo } : null,
    pullRequest:
      typeof pullNumber === 'number'
        ? { number: pullNumber, headSha: typeof pullHeadSha === 'string' ? pullHeadSha : '' }
        : null,
    triggeringHeadSha: typeof workflowRunHeadSha === 'string' ? workflowRunHeadSha : null,
    sha: env.GITHUB_SHA || null,
    runUrl:
      owner && repo && env.GITHUB_RUN_ID
        ? `${server}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}`
        : null,
  };
}
