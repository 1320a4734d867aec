import pc from 'picocolors';
import type { Baseline } from '../compare/baseline.js';
import type { DriftAnalysis } from '../compare/drift.js';
import {
  renderCheckTerminal as renderTerminal,
  type CheckReport,
  type Verdict,
} from '../report/check.js';
import { renderCheckHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import type { CheckResult } from './check.js';

/** The check's result as the reports read it, with what only the edge knows (commit, URL). */
export function checkReportOf(
  result: CheckResult,
  context: { commit?: string | null; detailsUrl?: string | null; notes?: readonly string[] },
): CheckReport {
  return {
    name: result.name,
    judgement: result.judgement,
    reference: result.choice.reference,
    why: result.choice.why,
    describeHead: result.describeHead,
    head: result.head,
    paired: result.paired,
    baseline: result.baseline,
    notes: [...result.notes, ...(context.notes ?? [])],
    commit: context.commit ?? null,
    detailsUrl: context.detailsUrl ?? null,
  };
}

/** report.md and report.html, from one report. */
export function renderCheckFiles(
  report: CheckReport,
  options: { history?: Baseline | null; drift?: DriftAnalysis | null },
): { markdown: string; html: string } {
  return {
    markdown: renderMarkdown(report),
    html: renderCheckHtml(report, {
      history: options.history ?? null,
      ...(options.drift !== undefined ? { drift: options.drift } : {}),
    }),
  };
}

const STATUS_COLOUR: Record<Verdict, (text: string) => string> = {
  pass: pc.green,
  regression: pc.red,
  inconclusive: pc.yellow,
};

export function renderCheckTerminal(report: CheckReport, options: { color: boolean }): string {
  const plain = (text: string) => text;
  return renderTerminal(report, {
    bold: options.color ? pc.bold : plain,
    status: (outcome, text) => (options.color ? STATUS_COLOUR[outcome](pc.bold(text)) : text),
  });
}
