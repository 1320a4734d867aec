import { codeText, escapeMarkdown } from './escape.js';
import { formatNumber } from '../compare/format.js';
import { TOOL_NAME, TOOL_VERSION } from '../engine/version.js';
import { historyChart, type Chart } from './chart.js';
import { formatPhaseTimes, formatSeconds, SIDE_NAMES, type PairedRun } from '../compare/rounds.js';
import { formatValue } from '../compare/format.js';
import { METRICS } from '../compare/metrics.js';
import { CHANGE_HEADING, roundRatio } from '../judge/estimate.js';
import { trialOfRun, type Trial } from '../judge/figures.js';
import type { JudgedMetric } from '../judge/gates.js';
import {
  comparedText,
  OUTCOME_TITLE,
  shownMetrics,
  STATUS_TEXT,
  type CheckReport,
  type ShownJudgement,
  type Verdict,
} from './check.js';
import { lastRoundTimelineDetails, timelineDetails } from './timeline.js';
import {
  configFields,
  endpointDeltaTitle,
  endpointLatencyColumns,
  endpointRows,
  headlineColumns,
  historyColumns,
  environmentFields,
  historyRows,
  publisherFields,
  trialRows,
  type ComparedField,
  type ReportContext,
} from './model.js';

/** GitHub rejects comments (and job summaries) longer than this. */
export const COMMENT_LIMIT_CHARS = 65_536;
/** Our default budget: the limit with room for a wrapper the GitHub layer may add. */
export const DEFAULT_MAX_CHARS = 65_000;

/** How many endpoints a shortened per-endpoint table keeps (the slowest). */
const SHORT_ENDPOINT_ROWS = 20;
/** How many nights a shortened history keeps (the newest). */
const SHORT_HISTORY_ROWS = 10;

/**
 * The hidden first line of the sticky PR comment; the GitHub layer finds our comment by it.
 * One comment per baseline name, so several scenarios in one workflow do not overwrite each other.
 */
export function commentMarker(name: string): string {
  // A comment cannot contain "--" and must not close early on ">".
  return `<!-- ${TOOL_NAME}:${name.replace(/-{2,}/g, '-').replace(/>/g, '')} -->`;
}

export function cell(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * A bullet's text (reasons and notes quote result and baseline files), escaped like a table cell
 * (one line, no HTML, no link or mention) except inside code spans: markdown shows those as written, `&lt;` included,
 * and our own reasons quote commands such as `baseline update <result.json>`. Backtick runs pair
 * as CommonMark pairs them (a run closes at the next run of the same length; a backslash-escaped
 * backtick opens nothing), so no text can make us leave HTML unescaped by faking a code span.
 */
/** Outside code spans: no HTML, no link, no mention (see escapeMarkdown for the same choices). */
const INLINE_ESCAPES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '[': '\\[',
  ']': '\\]',
  '@': '@&#8203;',
};

export function inline(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  let out = '';
  let index = 0;
  while (index < flat.length) {
    const char = flat[index] as string;
    if (char === '\\') {
      const next = flat[index + 1];
      const pair = next === '`' || next === '\\';
      out += pair ? char + next : char;
      index += pair ? 2 : 1;
    } else if (char === '`') {
      const opener = /`+/y;
      opener.lastIndex = index;
      const run = (opener.exec(flat) as RegExpExecArray)[0];
      const closer = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
      closer.lastIndex = index + run.length;
      const close = closer.exec(flat);
      const end = close ? close.index + run.length : index + run.length;
      out += flat.slice(index, end);
      index = end;
    } else if (flat.startsWith('://', index)) {
      // No autolink: reasons quote file text (a CPU model, a scenario) a pull request can craft.
      out += ':&#8203;//';
      index += 3;
    } else {
      out += INLINE_ESCAPES[char] ?? char;
      index += 1;
    }
  }
  return out;
}

export function table(
  header: readonly string[],
  align: readonly ('l' | 'r')[],
  rows: readonly (readonly string[])[],
): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(header),
    line(align.map((side) => (side === 'r' ? '---:' : '---'))),
    ...rows.map((row) => line(row.map(cell))),
  ].join('\n');
}

export function details(summary: string, body: string): string {
  return `<details>\n<summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

function fieldTable(fields: readonly ComparedField[], hasBaseline: boolean): string {
  const name = (field: ComparedField) => (field.differs ? `${field.label} ⚠️` : field.label);
  return hasBaseline
    ? table(
        ['Field', 'Baseline', 'This run'],
        ['l', 'l', 'l'],
        fields.map((field) => [
          name(field),
          escapeMarkdown(field.baseline),
          escapeMarkdown(field.current),
        ]),
      )
    : table(
        ['Field', 'This run'],
        ['l', 'l'],
        fields.map((field) => [field.label, escapeMarkdown(field.current)]),
      );
}

const OUTCOME_EMOJI: Record<Verdict, string> = { pass: '✅', regression: '❌', inconclusive: '⚠️' };

/**
 * The verdict, the two sentences of how it was reached, its reasons, the table of reference vs
 * head per figure, and what was compared with what: what a reviewer reads in five seconds.
 */
function renderHead(report: CheckReport): string {
  const { judgement } = report;
  const title = `${OUTCOME_EMOJI[judgement.outcome]} Load test ${codeText(report.name)}: ${OUTCOME_TITLE[judgement.outcome]}`;
  const none = report.reference === 'none';
  const parts = [
    commentMarker(report.name),
    `## ${title}`,
    ...report.notes.map((note) => `> ${inline(note)}`),
    `**${inline(judgement.summary)}**`,
    `_${inline(judgement.explanation.join(' '))}_`,
  ];
  if (judgement.reasons.length > 0) {
    parts.push(judgement.reasons.map((reason) => `- ${inline(reason)}`).join('\n'));
  }
  parts.push(
    table(
      [
        'Metric',
        none ? 'Reference' : report.paired ? 'Base' : 'Baseline',
        'Head',
        CHANGE_HEADING,
        'Status',
      ],
      ['l', 'r', 'r', 'l', 'l'],
      shownMetrics(judgement).map((metric) => [
        metric.gated ? `**${metric.label}**` : metric.label,
        none ? '—' : formatValue(metric.unit, metric.reference),
        formatValue(metric.unit, metric.head),
        metric.change,
        STATUS_TEXT[metric.gated ? metric.status : 'info'],
      ]),
    ),
  );
  parts.push(
    `- Compared: ${escapeMarkdown(comparedText(report))}\n- Why this reference: ${inline(report.why)}`,
  );
  return parts.join('\n\n');
}

function chartWithLegend(chart: Chart): string {
  return `${chart.block}\n\n<sub>${cell(chart.legend)}</sub>`;
}

interface Variant {
  body: string | null;
  /** What this variant leaves out, for the "shortened" note. */
  cut?: string;
}

interface Section {
  id:
    | 'rounds'
    | 'cost'
    | 'config'
    | 'environment'
    | 'publisher'
    | 'endpoints'
    | 'trials'
    | 'history'
    | 'timeline';
  /** Fullest first; each later one shorter. */
  variants: Variant[];
}

const CUT_ORDER: readonly Section['id'][] = [
  'endpoints',
  'timeline',
  'trials',
  'history',
  'cost',
  'publisher',
  'environment',
  'config',
  'rounds',
];

function roundsTable(run: PairedRun, judgement: ShownJudgement): string {
  const shown = judgement.metrics.filter((metric) => metric.gated && metric.ratio !== null);
  // The ratio the judge read from the round: each side's trials pooled.
  const ratioOf = (metric: JudgedMetric, base: Trial[], head: Trial[]): string => {
    const definition = METRICS[metric.id];
    const worse = roundRatio(definition, base, head);
    if (worse === null || !Number.isFinite(worse) || worse <= 0) return '—';
    return (definition.direction === 'lower-is-better' ? worse : 1 / worse).toFixed(3);
  };
  return table(
    ['Round', 'Order', ...shown.map((metric) => `${metric.label} head/base`)],
    ['l', 'l', ...shown.map(() => 'r' as const)],
    run.rounds.map((round, index) => {
      // Each side's trials read once a round, for every figure shown.
      const base = round.base.results.map(trialOfRun);
      const head = round.head.results.map(trialOfRun);
      return [
        `${round.round}${index >= run.rounds.length - run.furtherRounds ? ' (further)' : ''}`,
        round.order.join(' → '),
        ...shown.map((metric) => ratioOf(metric, base, head)),
      ];
    }),
  );
}

function costTable(run: PairedRun): string {
  const rows: string[][] = SIDE_NAMES.map((side) => [
    `prepare, ${side}`,
    formatSeconds(run.prepareMs[side]),
  ]);
  for (const round of run.rounds) {
    for (const side of round.order) {
      rows.push([`round ${round.round}, ${side}`, formatPhaseTimes(round[side].phases)]);
    }
  }
  return table(['Step', 'Time'], ['l', 'l'], rows);
}

/** The report's figures beside what they were compared with (the base's rounds or the baseline). */
export function reportContext(report: CheckReport): ReportContext {
  return {
    name: report.name,
    current: report.head,
    reference:
      report.paired?.base ??
      (report.reference === 'baseline' ? (report.baseline?.aggregate ?? null) : null),
    baseline: report.baseline,
    commit: report.commit ?? null,
    detailsUrl: report.detailsUrl ?? null,
  };
}

const folded = (id: Section['id'], summary: string, body: string, cut: string): Section => ({
  id,
  variants: [{ body: details(summary, body) }, { body: null, cut }],
});

function sections(report: CheckReport): Section[] {
  const context = reportContext(report);
  const hasReference = context.reference !== null;
  const trialCount = context.current.trialCount;
  const differs = (fields: readonly ComparedField[]) =>
    fields.some((field) => field.differs) ? ' ⚠️ differs from the reference' : '';
  const config = configFields(context);
  const environment = environmentFields(context);
  const result: Section[] = [];
  if (report.paired) {
    const { run } = report.paired;
    result.push(
      folded('rounds', 'Rounds: head/base per round', roundsTable(run, report.judgement), 'rounds'),
      folded('cost', 'Cost: time per phase and side', costTable(run), 'cost'),
    );
  }
  result.push(
    folded('config', `Load${differs(config)}`, fieldTable(config, hasReference), 'load'),
    folded(
      'environment',
      `Runner${differs(environment)}`,
      fieldTable(environment, hasReference),
      'runner',
    ),
    folded(
      'publisher',
      'Load generator and delivery counts (per run)',
      fieldTable(publisherFields(context), hasReference),
      'load generator figures',
    ),
  );

  const endpoints = endpointRows(context);
  if (endpoints.length > 0) {
    const latencyTitles = endpointLatencyColumns().map((column) => column.title);
    const perRun = trialCount > 1 ? `, totals of ${trialCount} runs` : '';
    const render = (rows: typeof endpoints, summary: string) =>
      details(
        summary,
        table(
          ['Endpoint', 'Delivered', 'Problems', ...latencyTitles, endpointDeltaTitle],
          ['l', 'r', 'l', ...latencyTitles.map(() => 'r' as const), 'r'],
          rows.map((row) => [
            escapeMarkdown(row.name),
            row.delivered === row.expected ? row.delivered : `${row.delivered} of ${row.expected}`,
            row.problems,
            ...row.latencies,
            row.delta,
          ]),
        ),
      );
    const variants: Variant[] = [
      {
        body: render(endpoints, `Per endpoint (${endpoints.length}, slowest first${perRun})`),
      },
    ];
    if (endpoints.length > SHORT_ENDPOINT_ROWS) {
      variants.push({
        body: render(
          endpoints.slice(0, SHORT_ENDPOINT_ROWS),
          `Per endpoint (${SHORT_ENDPOINT_ROWS} slowest of ${endpoints.length}${perRun})`,
        ),
        cut: `per-endpoint figures (${SHORT_ENDPOINT_ROWS} slowest of ${endpoints.length} shown)`,
      });
    }
    variants.push({ body: null, cut: `per-endpoint figures (${endpoints.length} endpoints)` });
    result.push({ id: 'endpoints', variants });
  }

  const timeline = report.paired
    ? lastRoundTimelineDetails(report.paired.run)
    : timelineDetails(context.current);
  if (timeline)
    result.push({
      id: 'timeline',
      variants: [{ body: timeline }, { body: null, cut: 'timeline' }],
    });

  const trials = trialRows(context.current);
  const trialTitles = headlineColumns().map((column) => column.title);
  result.push({
    id: 'trials',
    variants: [
      {
        body: details(
          `Each run of the head (${trialCount})`,
          [
            table(
              ['Run', ...trialTitles, 'Valid', 'Run id'],
              ['r', ...trialTitles.map(() => 'r' as const), 'l', 'l'],
              trials.map((row) => [row.trial, ...row.figures, row.valid, `\`${row.runId}\``]),
            ),
            report.paired
              ? 'One run per round; each round started the head fresh.'
              : 'The runs of one start of the head; the verdict pools their histograms.',
          ].join('\n\n'),
        ),
      },
      { body: null, cut: `runs (${trialCount})` },
    ],
  });

  if (context.baseline && context.baseline.history.length > 0) {
    const rows = historyRows(context.baseline);
    const historyTitles = historyColumns().map((column) => column.title);
    const render = (shown: typeof rows, withChart: boolean, summary: string) => {
      const body = [
        table(
          ['Date', 'Commit', 'Runs', ...historyTitles, ''],
          ['l', 'l', 'r', ...historyTitles.map(() => 'r' as const), 'l'],
          shown.map((row) => [
            escapeMarkdown(row.date),
            escapeMarkdown(row.commit),
            row.trials,
            ...row.figures,
            row.note,
          ]),
        ),
      ];
      const chart = withChart ? historyChart(shown) : null;
      if (chart) body.unshift(chartWithLegend(chart));
      return details(summary, body.join('\n\n'));
    };
    const variants: Variant[] = [
      { body: render(rows, true, `Baseline history (${rows.length} nights, oldest first)`) },
    ];
    if (rows.length > SHORT_HISTORY_ROWS) {
      variants.push({
        body: render(
          rows.slice(-SHORT_HISTORY_ROWS),
          false,
          `Baseline history (newest ${SHORT_HISTORY_ROWS} of ${rows.length} nights, oldest first)`,
        ),
        cut: `history (newest ${SHORT_HISTORY_ROWS} of ${rows.length} nights shown, no chart)`,
      });
    }
    variants.push({ body: null, cut: `history (${rows.length} nights)` });
    result.push({ id: 'history', variants });
  }
  return result;
}

function footer(context: ReportContext): string {
  const parts = [`${TOOL_NAME} ${TOOL_VERSION}`];
  if (context.commit) parts.push(`commit ${context.commit.slice(0, 7)}`);
  if (context.detailsUrl) parts.push(`[full results](${context.detailsUrl})`);
  return `<sub>${parts.join(' · ')}</sub>`;
}

function cutNote(cuts: readonly string[]): string {
  return `> ✂️ Shortened to stay under GitHub's ${formatNumber(COMMENT_LIMIT_CHARS, 0)}-character limit; left out: ${cuts.join(', ')}. The result file has every figure.`;
}

/**
 * The report for the PR comment and the job summary: verdict first, the metric table, a
 * latency chart, then collapsible details. It stays within `maxChars`: details are shortened,
 * then dropped (per-endpoint figures first, then trials, history, ...), with a note saying what
 * was left out.
 */
export function renderMarkdown(report: CheckReport, options: { maxChars?: number } = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const context = reportContext(report);
  const head = renderHead(report);
  const all = sections(report);
  const levels = new Map(all.map((section) => [section.id, 0]));

  const compose = (): string => {
    const cuts: string[] = [];
    const bodies: string[] = [];
    for (const section of all) {
      const variant = section.variants[levels.get(section.id) ?? 0] as Variant;
      if (variant.cut) cuts.push(variant.cut);
      if (variant.body) bodies.push(variant.body);
    }
    return (
      [head, ...(cuts.length > 0 ? [cutNote(cuts)] : []), ...bodies, footer(context)].join('\n\n') +
      '\n'
    );
  };

  let text = compose();
  for (const id of CUT_ORDER) {
    const section = all.find((item) => item.id === id);
    if (!section) continue;
    while (text.length > maxChars && (levels.get(id) ?? 0) < section.variants.length - 1) {
      levels.set(id, (levels.get(id) ?? 0) + 1);
      text = compose();
    }
  }
  if (text.length <= maxChars) return text;

  // Only the head is left and it is still too long (pathological reasons): cut it hard.
  const tail = `\n\n> ✂️ Report truncated to stay under GitHub's ${formatNumber(COMMENT_LIMIT_CHARS, 0)}-character limit; the job log has the full report.\n`;
  return text.slice(0, Math.max(0, maxChars - tail.length)) + tail;
}
