import type { Verdict } from '../compare/verdict.js';
import { COMMENT_REQUEST_KIND, COMMENT_REQUEST_VERSION, Outputs } from './constants.js';
import type { ActionCore } from './core.js';

/** The figures the outputs and the two-stage comment carry. */
export interface HeadlineFigures {
  verdict: Verdict['outcome'];
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  throughput: number;
  lost: number;
}

/** comment.json: what the fork-safe second stage (mode: comment) needs to post the comment. */
export interface CommentRequest {
  kind: typeof COMMENT_REQUEST_KIND;
  version: typeof COMMENT_REQUEST_VERSION;
  baselineName: string;
  pullRequest: number | null;
  headSha: string | null;
  figures: HeadlineFigures;
  markdown: string;
}

const round = (value: number): string => String(Math.round(value * 1000) / 1000);

export function setHeadlineOutputs(
  core: Pick<ActionCore, 'setOutput'>,
  figures: HeadlineFigures,
): void {
  core.setOutput(Outputs.Verdict, figures.verdict);
  core.setOutput(Outputs.Passed, String(figures.verdict === 'pass'));
  core.setOutput(Outputs.P50Ms, round(figures.p50Ms));
  core.setOutput(Outputs.P95Ms, round(figures.p95Ms));
  core.setOutput(Outputs.P99Ms, round(figures.p99Ms));
  core.setOutput(Outputs.Throughput, round(figures.throughput));
  core.setOutput(Outputs.Lost, String(figures.lost));
}
