import { z } from 'zod';
import {
  HEADLINE_METRICS,
  metricRange,
  outputName,
  type MetricValues,
} from '../compare/metrics.js';
import { COMMENT_REQUEST_KIND, COMMENT_REQUEST_VERSION, Outputs } from './constants.js';
import type { ActionCore } from './core.js';

/**
 * The figures the outputs and the two-stage comment carry: the catalogue's headline metrics
 * (HEADLINE_METRICS), each as an output named by outputName (p50-ms, throughput, lost, ...).
 */
export const headlineFiguresSchema = z.object({
  verdict: z.enum(['pass', 'regression', 'inconclusive']),
  metrics: z.object(
    // Each in its metric's range: comment.json comes from the pull request's code.
    Object.fromEntries(
      HEADLINE_METRICS.map((metric) => [metric.id, metricRange(metric)]),
    ) as Record<string, z.ZodNumber>,
  ),
});
export type HeadlineFigures = z.infer<typeof headlineFiguresSchema>;

/** The outputs the headline metrics set; action.yml declares each (a test checks). */
export const HEADLINE_OUTPUTS: readonly string[] = HEADLINE_METRICS.map(outputName);

export function headlineFigures(
  outcome: HeadlineFigures['verdict'],
  metrics: MetricValues,
): HeadlineFigures {
  return {
    verdict: outcome,
    metrics: Object.fromEntries(HEADLINE_METRICS.map((metric) => [metric.id, metrics[metric.id]])),
  };
}

/**
 * comment.json: what the fork-safe second stage (mode: comment) needs to post the comment. It
 * comes from code of the pull request: comment-only.ts checks what a schema cannot (the marker
 * name, the head commit, the size).
 */
export const commentRequestSchema = z.object({
  kind: z.literal(COMMENT_REQUEST_KIND),
  version: z.literal(COMMENT_REQUEST_VERSION),
  baselineName: z.string(),
  pullRequest: z.number().int().positive().nullable(),
  headSha: z
    .string()
    .regex(/^[0-9a-f]{40,64}$/i)
    .nullable(),
  figures: headlineFiguresSchema,
  markdown: z.string(),
});
export type CommentRequest = z.infer<typeof commentRequestSchema>;

const round = (value: number): string => String(Math.round(value * 1000) / 1000);

export function setHeadlineOutputs(
  core: Pick<ActionCore, 'setOutput'>,
  figures: HeadlineFigures,
): void {
  core.setOutput(Outputs.Verdict, figures.verdict);
  core.setOutput(Outputs.Passed, String(figures.verdict === 'pass'));
  for (const metric of HEADLINE_METRICS) {
    const value = figures.metrics[metric.id] ?? 0;
    core.setOutput(outputName(metric), metric.unit === 'count' ? String(value) : round(value));
  }
}
