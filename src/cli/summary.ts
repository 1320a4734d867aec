import pc from 'picocolors';
import type { RunResult } from '../engine/measure/result.js';

const fmtMs = (ms: number): string => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
const fmtInt = (n: number): string => n.toLocaleString('en-US');

/** The terminal summary of one measured run (the comparison has its own report). */
export function formatRunSummary(result: RunResult): string {
  const { publisher, delivery, validity, checks } = result;
  const latency = delivery.latencyMs;
  const lines: string[] = [];
  const ok = (good: boolean, text: string): string => (good ? pc.green(text) : pc.red(text));
  lines.push(pc.bold(`Run ${result.runId} · scenario ${result.config.scenario}`));
  lines.push(
    `  publish   ${fmtInt(publisher.published)} events, ${publisher.achievedRatePerSec.toFixed(0)}/s of ${
      publisher.targetRatePerSec === 0 ? 'max' : `${publisher.targetRatePerSec}/s`
    }, errors ${publisher.errors}, schedule lag p99 ${fmtMs(publisher.scheduleLagMs.p99)}, XADD p99 ${fmtMs(publisher.xaddLatencyMs.p99)}`,
  );
  lines.push(
    `  delivery  ${fmtInt(delivery.delivered)} of ${fmtInt(delivery.expected)} expected · ` +
      `${ok(delivery.lost === 0, `lost ${delivery.lost}`)} · ` +
      `${ok(delivery.unexpected === 0, `unexpected ${delivery.unexpected}`)} · duplicates ${delivery.duplicates} · ` +
      `${ok(delivery.badSignatures === 0, `bad signatures ${delivery.badSignatures}`)} · foreign ${delivery.foreign} · ` +
      `failed attempts ${delivery.failedAttempts}`,
  );
  lines.push(
    `  latency   p50 ${fmtMs(latency.p50)} · p90 ${fmtMs(latency.p90)} · p95 ${fmtMs(latency.p95)} · p99 ${fmtMs(latency.p99)} · ` +
      `p99.9 ${fmtMs(latency.p999)} · max ${fmtMs(latency.max)} · mean ${fmtMs(latency.mean)}`,
  );
  if (delivery.lost > 0 && delivery.deliveredLatencyMs) {
    lines.push(
      `  the latency above charges each lost delivery as end of drain − intended send; delivered alone: p99 ${fmtMs(delivery.deliveredLatencyMs.p99)}`,
    );
  }
  if (delivery.rejectedOnPurpose > 0) {
    lines.push(
      `  ${delivery.rejectedOnPurpose} deliveries rejected on purpose by the receiver's injected failures (a status EthHook does not retry): not counted as lost`,
    );
  }
  lines.push(
    `  throughput ${delivery.throughputPerSec.toFixed(1)}/s · success rate ${(delivery.successRate * 100).toFixed(2)}% · drain ${
      delivery.drainMs
    } ms (${delivery.drainEnded})`,
  );
  // The original tool's fixed limits: labelled as such, without pass/fail marks, so they never
  // read as a second verdict beside the baseline comparison's.
  if (checks.length > 0) {
    lines.push(
      `  ${pc.dim('absolute limits (fixed thresholds, not part of the baseline verdict):')}`,
    );
    for (const check of checks) {
      const text = `${check.name} ${check.detail}`;
      lines.push(`    ${check.passed ? text : pc.yellow(text)}`);
    }
  }
  if (!validity.valid)
    for (const reason of validity.reasons) lines.push(`  ${pc.yellow('⚠ invalid run:')} ${reason}`);
  return `${lines.join('\n')}\n`;
}

export function printRunSummary(result: RunResult, stream: NodeJS.WritableStream): void {
  stream.write(formatRunSummary(result));
}
