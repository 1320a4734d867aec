import cliProgress from 'cli-progress';

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'off';

export interface ProgressPlan {
  /** Events the run will publish, or null when it runs until a deadline (rate 0 + duration). */
  totalEvents: number | null;
  /** Length of a deadline-bounded run. */
  durationSec: number | null;
  label?: string;
}

/** What the publisher reports; called every tick, so implementations throttle themselves. */
export interface ProgressReporter {
  update(published: number, errors: number, elapsedUs: number): void;
  stop(published: number, errors: number, elapsedUs: number): void;
}

/** The stream progress goes to: stderr, because stdout is reserved for --json. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export const LINE_INTERVAL_US = 5_000_000;
const BAR_INTERVAL_US = 100_000;

const silent: ProgressReporter = { update() {}, stop() {} };

export function createProgress(
  mode: ProgressMode,
  plan: ProgressPlan,
  stream: ProgressStream = process.stderr,
): ProgressReporter {
  const resolved = mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : mode;
  if (resolved === 'off') return silent;
  if (resolved === 'bar') return new BarProgress(plan, stream);
  return new LineProgress(plan, stream);
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function ratePerSec(published: number, elapsedUs: number): number {
  return elapsedUs > 0 ? (published * 1e6) / elapsedUs : 0;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.ceil(seconds - minutes * 60)).padStart(2, '0')}s`;
}

/** Seconds left: from the count and the current rate, or from the deadline. */
function remainingSec(plan: ProgressPlan, published: number, elapsedUs: number): number {
  if (plan.totalEvents !== null) {
    const rate = ratePerSec(published, elapsedUs);
    return rate > 0 ? (plan.totalEvents - published) / rate : Number.NaN;
  }
  return (plan.durationSec ?? 0) - elapsedUs / 1e6;
}

/** Plain lines every few seconds: readable in CI logs, where a redrawn bar is noise. */
class LineProgress implements ProgressReporter {
  private nextLineUs = LINE_INTERVAL_US;

  constructor(
    private readonly plan: ProgressPlan,
    private readonly stream: ProgressStream,
  ) {}

  update(published: number, errors: number, elapsedUs: number): void {
    if (elapsedUs < this.nextLineUs) return;
    this.nextLineUs = elapsedUs + LINE_INTERVAL_US;
    this.stream.write(this.line(published, errors, elapsedUs, false));
  }

  stop(published: number, errors: number, elapsedUs: number): void {
    this.stream.write(this.line(published, errors, elapsedUs, true));
  }

  private line(published: number, errors: number, elapsedUs: number, done: boolean): string {
    const { totalEvents } = this.plan;
    const count =
      totalEvents === null
        ? `${integer.format(published)} events`
        : `${integer.format(published)}/${integer.format(totalEvents)} events (${Math.floor(
            (published / totalEvents) * 100,
          )}%)`;
    const tail = done
      ? `done in ${formatSeconds(elapsedUs / 1e6)}`
      : `ETA ${formatSeconds(remainingSec(this.plan, published, elapsedUs))}`;
    const errorText = errors > 0 ? `, ${integer.format(errors)} errors` : '';
    return `[${this.plan.label ?? 'publish'}] ${count}, ${integer.format(
      ratePerSec(published, elapsedUs),
    )}/s${errorText}, ${tail}\n`;
  }
}

/** A redrawn bar (count, rate, ETA) for an interactive terminal. */
class BarProgress implements ProgressReporter {
  private readonly bar: cliProgress.SingleBar;
  private readonly byTime: boolean;
  private nextDrawUs = 0;

  constructor(
    private readonly plan: ProgressPlan,
    stream: ProgressStream,
  ) {
    this.byTime = plan.totalEvents === null;
    this.bar = new cliProgress.SingleBar(
      {
        stream: stream as NodeJS.WritableStream,
        format: `${plan.label ?? 'publish'} |{bar}| {percentage}% | {published} events | {rate}/s | {errors} errors | ETA {remaining}`,
        hideCursor: true,
        clearOnComplete: false,
        // We redraw on our own schedule (every tick is far too often for a terminal).
        fps: 10,
        noTTYOutput: false,
      },
      cliProgress.Presets.shades_classic,
    );
    const total = this.byTime
      ? Math.max(1, Math.round((plan.durationSec ?? 1) * 1000))
      : (plan.totalEvents ?? 1);
    this.bar.start(total, 0, this.payload(0, 0, 0));
  }

  update(published: number, errors: number, elapsedUs: number): void {
    if (elapsedUs < this.nextDrawUs) return;
    this.nextDrawUs = elapsedUs + BAR_INTERVAL_US;
    this.bar.update(this.value(published, elapsedUs), this.payload(published, errors, elapsedUs));
  }

  stop(published: number, errors: number, elapsedUs: number): void {
    this.bar.update(this.value(published, elapsedUs), {
      ...this.payload(published, errors, elapsedUs),
      remaining: '0s',
    });
    this.bar.stop();
  }

  private value(published: number, elapsedUs: number): number {
    return this.byTime ? Math.min(Math.round(elapsedUs / 1000), this.bar.getTotal()) : published;
  }

  private payload(published: number, errors: number, elapsedUs: number) {
    return {
      published: integer.format(published),
      rate: integer.format(ratePerSec(published, elapsedUs)),
      errors: integer.format(errors),
      remaining: formatSeconds(remainingSec(this.plan, published, elapsedUs)),
    };
  }
}
