import { codeText, escapeMarkdown } from './escape.js';
import { formatNumber } from '../compare/format.js';
import type { MetricStatus, Outcome, Verdict } from '../compare/verdict.js';
import { TOOL_NAME, TOOL_VERSION } from '../engine/version.js';
import { historyChart, latencyChart, throughputChart, type Chart } from './chart.js';
import { formatTolerance } from '../compare/tolerance.js';
import { timelineDetails } from './timeline.js';
import {
  comparedSides,
  configFields,
  endpointDeltaTitle,
  endpointLatencyColumns,
  endpointRows,
  headlineColumns,
  historyColumns,
  environmentFields,
  historyRows,
  isIdleRow,
  metricRows,
  OUTCOME_TITLE,
  plainFields,
  publisherFields,
  settingsLine,
  spreadText,
  trialRows,
  verdictStatement,
  type ComparedField,
  type ReportContext,
} from './model.js';

/** GitHub rejects comments (and job summaries) longer than this. */
export const COMMENT_LIMIT_CHARS = 65_536;
/** Our default budget: the limit with room for a wrapper the GitHub layer may add. */
export const DEFAULT_MAX_CHARS = 65_000;

const OUTCOME_EMOJI: Record<Outcome, string> = { pass: '✅', regression: '❌', inconclusive: '⚠️' };
/** A row's status as the comment shows it; a gated row the run did not judge says so. */
const STATUS_CELL: Record<MetricStatus, string> = {
  pass: '✅ pass',
  regression: '❌ over limit',
  improvement: '🟢 improved',
  noise: '⚠️ within noise',
  unconfirmed: '⚠️ not confirmed',
  info: '⚪ not judged',
};
const TREND_CELL = { better: '🟢 better', worse: '🔸 worse' } as const;

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

/**
 * Keeps a short cell on one line ("2.3× slower", "≤ 18.0 ms", "❌ over limit") with no-break
 * spaces: at comment width the browser would otherwise wrap them into two lines each.
 */
export const nowrap = (text: string): string => text.replace(/ /g, '\u00a0');

/** "**This commit** `feedfac` **vs the baseline** `steady` of 2025-01-14 (...) · 3 runs" */
function comparedLine(context: ReportContext): string {
  const sides = comparedSides(context);
  const subject = sides.commit ? `**This commit** ${codeText(sides.commit)}` : '**This run**';
  const against = sides.baseline
    ? `**vs the baseline** ${codeText(sides.baseline.name)} of ${escapeMarkdown(sides.baseline.date)} ` +
      `(${sides.baseline.commit ? `commit ${codeText(sides.baseline.commit)}, ` : ''}` +
      `${escapeMarkdown(sides.baseline.runner)})`
    : 'vs no baseline yet';
  return `${subject} ${against} · ${sides.runs}`;
}

function chartWithLegend(chart: Chart): string {
  return `${chart.block}\n\n<sub>${cell(chart.legend)}</sub>`;
}

function renderHead(verdict: Verdict, context: ReportContext): string {
  const parts = [
    commentMarker(context.name),
    `## ${OUTCOME_EMOJI[verdict.outcome]} Load test ${codeText(context.name)}: ${OUTCOME_TITLE[verdict.outcome]}`,
    comparedLine(context),
    `**${cell(verdictStatement(verdict, context))}**`,
  ];
  // Inconclusive says what to do; a pass or a regression is said by the statement and the table.
  if (verdict.outcome === 'inconclusive' && verdict.reasons.length > 0) {
    parts.push(verdict.reasons.map((reason) => `- ${inline(plainFields(reason))}`).join('\n'));
  }
  const rows = metricRows(verdict, context.current.trialCount).filter((row) => row.gated);
  parts.push(
    table(
      ['Metric', 'Baseline', 'This run', 'Change', 'Limit', 'Status'],
      ['l', 'r', 'r', 'r', 'l', 'l'],
      rows.map((row) => [
        row.label,
        row.baseline,
        row.current,
        nowrap(row.delta),
        nowrap(row.limit),
        nowrap(STATUS_CELL[row.status]),
      ]),
    ),
  );
  // The header line already says how many runs each side has.
  const notes = verdict.notes.filter(
    (note) => !/^The baseline has \d+ trial\(s\), this run \d+\.$/.test(note),
  );
  if (notes.length > 0) {
    parts.push(notes.map((note) => `- ℹ️ ${inline(note)}`).join('\n'));
  }
  parts.push(chartWithLegend(latencyChart(verdict)));
  const throughput = throughputChart(verdict);
  if (throughput) parts.push(chartWithLegend(throughput));
  return parts.join('\n\n');
}

interface Variant {
  body: string | null;
  /** What this variant leaves out, for the "shortened" note. */
  cut?: string;
}

interface Section {
  id:
    | 'why'
    | 'other'
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
  'publisher',
  'environment',
  'config',
  'other',
  'why',
];

/** How the verdict was reached: its reasons in full, each limit and where it came from. */
function whySection(verdict: Verdict, context: ReportContext): Section {
  const rows = metricRows(verdict, context.current.trialCount).filter(
    (row) => row.gated && row.limitDetail !== '—',
  );
  const body = [
    ...(verdict.outcome !== 'inconclusive' && verdict.reasons.length > 0
      ? [verdict.reasons.map((reason) => `- ${inline(reason)}`).join('\n')]
      : []),
    ...(rows.length > 0
      ? [
          table(
            ['Metric', 'Limit and how it was set'],
            ['l', 'l'],
            rows.map((row) => [row.label, row.limitDetail]),
          ),
        ]
      : []),
    [
      `Each limit is the tolerance (${formatTolerance(verdict.settings.tolerance)} the baseline), widened when the measured run-to-run noise could not tell a smaller change apart; "could see" is the smallest change this comparison can detect.`,
      'A count must stay at 0 (a lost delivery, a bad signature or an unexpected delivery fails on any runner); a few duplicate deliveries per run are how at-least-once delivery works.',
      `Settings: ${cell(settingsLine(verdict, context))}.`,
    ].join(' '),
  ];
  return {
    id: 'why',
    variants: [
      { body: details('How the verdict was reached', body.join('\n\n')) },
      { body: null, cut: 'how the verdict was reached' },
    ],
  };
}

/** The figures that decide nothing, zeros folded into one line. */
function otherSection(verdict: Verdict, context: ReportContext): Section {
  const rows = metricRows(verdict, context.current.trialCount).filter((row) => !row.gated);
  const shown = rows.filter((row) => !isIdleRow(row));
  const idle = rows.filter(isIdleRow);
  const body = [
    table(
      ['Metric', 'Baseline', 'This run', 'Change', ''],
      ['l', 'r', 'r', 'r', 'l'],
      shown.map((row) => [
        row.label,
        row.baseline,
        row.current,
        row.delta,
        row.trend ? TREND_CELL[row.trend] : '',
      ]),
    ),
    ...(idle.length > 0
      ? [`Zero in both: ${idle.map((row) => row.label.replace(/ \(.*\)$/, '')).join(', ')}.`]
      : []),
  ];
  return {
    id: 'other',
    variants: [
      {
        body: details(
          'Other figures (not part of the verdict)',
          [
            'Shown for context; a change beyond the tolerance is marked 🟢 better or 🔸 worse.',
            ...body,
          ].join('\n\n'),
        ),
      },
      { body: null, cut: 'other figures' },
    ],
  };
}

function sections(verdict: Verdict, context: ReportContext): Section[] {
  const hasBaseline = context.baseline !== null;
  const trialCount = context.current.trialCount;
  const result: Section[] = [
    whySection(verdict, context),
    otherSection(verdict, context),
    {
      id: 'config',
      variants: [
        {
          body: details(
            `Load${verdict.configDifferences.length > 0 ? ' ⚠️ differs from the baseline' : ''}`,
            fieldTable(configFields(verdict, context), hasBaseline),
          ),
        },
        { body: null, cut: 'load' },
      ],
    },
    {
      id: 'environment',
      variants: [
        {
          body: details(
            `Runner${verdict.environmentDifferences.length > 0 ? ' ⚠️ differs from the baseline' : ''}`,
            fieldTable(environmentFields(verdict, context), hasBaseline),
          ),
        },
        { body: null, cut: 'runner' },
      ],
    },
    {
      id: 'publisher',
      variants: [
        {
          body: details(
            'Load generator and delivery counts (per run)',
            fieldTable(publisherFields(context), hasBaseline),
          ),
        },
        { body: null, cut: 'load generator figures' },
      ],
    },
  ];

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

  const timeline = timelineDetails(context.current);
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
          `Each run (${trialCount}${trialCount > 1 ? `; spread ${spreadText(context.current, verdict)}` : ''})`,
          [
            table(
              ['Run', ...trialTitles, 'Valid', 'Run id'],
              ['r', ...trialTitles.map(() => 'r' as const), 'l', 'l'],
              trials.map((row) => [row.trial, ...row.figures, row.valid, `\`${row.runId}\``]),
            ),
            trialCount > 1
              ? 'The scenario ran this many times (trials); the verdict takes the median of each figure, and sums the counts of lost, unexpected and badly signed deliveries. Spread = (max − min) / median.'
              : 'A single run: no spread to judge noise by. More runs (`trials: 3`, `--trials 3`) make the verdict sturdier.',
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
export function renderMarkdown(
  verdict: Verdict,
  context: ReportContext,
  options: { maxChars?: number } = {},
): string {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const head = renderHead(verdict, context);
  const all = sections(verdict, context);
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
