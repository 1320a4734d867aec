import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import pc from 'picocolors';
import { isRunId } from '../../engine/events/identity.js';
import { ONE_HOST_NOTE } from '../../engine/clock.js';
import { summarizeMs } from '../../engine/measure/histogram.js';
import {
  DEFAULT_HOST,
  DEFAULT_PATH,
  Receiver,
  RESERVED_PATHS,
  type ReceiverEndpoint,
  type ReceiverSnapshot,
} from '../../engine/receiver/receiver.js';
import { valueOf } from '../../settings/resolve.js';
import { UserError } from '../errors.js';
import { port, positiveNumber } from '../options.js';
import { addFaultFlags } from '../flags.js';

/** The original tool's receiver listened on 8000; EthHook setups already point webhooks there. */
export const DEFAULT_RECEIVE_PORT = 8000;

export interface ReceiveFlags {
  host: string;
  port: number;
  path: string;
  endpointsFile?: string;
  verify: boolean;
  runId: string[];
  /** Fault injection: undefined = not given (the declared defaults of src/settings apply). */
  failRate?: number;
  failStatus?: number;
  delayMs?: number;
  faultSeed: number;
  duration?: number;
  interval: number;
  json: boolean;
}

function webhookPath(raw: string): string {
  if (!/^\/\S*$/.test(raw) || RESERVED_PATHS.includes(raw)) {
    throw new InvalidArgumentError(
      'Expected a path starting with / other than /metrics, /metrics/reset and /health.',
    );
  }
  return raw;
}

function runIdArgument(raw: string, previous: string[]): string[] {
  if (!isRunId(raw)) throw new InvalidArgumentError('Expected 16 lowercase hex characters.');
  return [...previous, raw];
}

function integer(raw: string): number {
  if (!/^[-+]?\d+$/.test(raw.trim())) throw new InvalidArgumentError('Expected a whole number.');
  return Number(raw);
}

/**
 * Reads `[{id, name, secret}]` (`hmac_secret` is accepted for `secret`, so a JSON dump of EthHook's
 * endpoints table works as is).
 */
export function loadEndpointsFile(file: string): ReceiverEndpoint[] {
  const flag = `--endpoints-file ${file}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UserError(`${flag}: cannot read it as JSON (${reason}).`);
  }
  if (!Array.isArray(parsed)) {
    throw new UserError(`${flag}: expected a JSON array of {"id", "name", "secret"} objects.`);
  }
  return parsed.map((entry: unknown, index) => {
    const record = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<
      string,
      unknown
    >;
    const secret = record.secret ?? record.hmac_secret;
    if (typeof record.id !== 'string' || record.id === '' || typeof secret !== 'string') {
      throw new UserError(
        `${flag}: entry ${index} needs a string "id" and a string "secret" (or "hmac_secret").`,
      );
    }
    const name = typeof record.name === 'string' ? record.name : record.id;
    return { id: record.id, name, secret };
  });
}

/** Turns a failed listen into a message naming the flag to change. */
function listenError(error: unknown, flags: ReceiveFlags): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${flags.host}:${flags.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new UserError(
        `--port ${flags.port}: ${where} is already in use; pick another port with --port (0 picks a free one).`,
      );
    case 'EACCES':
      return new UserError(
        `--port ${flags.port}: not allowed to listen on ${where}; ports below 1024 need privileges, pick another with --port.`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserError(
        `--host ${flags.host}: no such local address to listen on; use 127.0.0.1, or 0.0.0.0 for all interfaces.`,
      );
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}

const fmtInt = (n: number): string => n.toLocaleString('en-US');
const fmtMs = (ms: number): string => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
const flagged = (count: number, label: string, colour: (text: string) => string): string =>
  count > 0 ? colour(`${label} ${fmtInt(count)}`) : pc.dim(`${label} 0`);

/** One periodic line: what arrived so far and how fast. */
export function formatProgressLine(
  snapshot: ReceiverSnapshot,
  elapsedSec: number,
  ratePerSec: number,
): string {
  const { counts } = snapshot;
  const latency = summarizeMs(snapshot.latency);
  const parts = [
    `requests ${fmtInt(counts.totalRequests)} (${ratePerSec.toFixed(0)}/s)`,
    pc.green(`delivered ${fmtInt(counts.delivered)}`),
    flagged(counts.duplicates, 'dup', pc.yellow),
    flagged(counts.badSignatures, 'bad sig', pc.red),
    flagged(counts.foreign, 'foreign', pc.yellow),
    flagged(counts.malformed, 'malformed', pc.red),
    flagged(counts.failedAttempts, 'failed', pc.yellow),
  ];
  if (latency.count > 0) parts.push(`p50 ${fmtMs(latency.p50)} p99 ${fmtMs(latency.p99)}`);
  return `${pc.dim(`[${elapsedSec.toFixed(0)}s]`)} ${parts.join(' · ')}`;
}

/** The readable end-of-run summary. */
export function formatFinalSummary(snapshot: ReceiverSnapshot): string {
  const { counts } = snapshot;
  const latency = summarizeMs(snapshot.latency);
  const lines = [
    pc.bold('Receiver summary'),
    `  requests   ${fmtInt(counts.totalRequests)}`,
    `  delivered  ${pc.green(fmtInt(counts.delivered))} unique · ${flagged(counts.duplicates, 'duplicates', pc.yellow)} · ` +
      `${flagged(counts.badSignatures, 'bad signatures', pc.red)} · ${flagged(counts.foreign, 'foreign', pc.yellow)} · ` +
      `${flagged(counts.malformed, 'malformed', pc.red)} · ${flagged(counts.failedAttempts, 'failed attempts', pc.yellow)}`,
  ];
  if (latency.count > 0) {
    lines.push(
      `  latency    p50 ${fmtMs(latency.p50)} · p90 ${fmtMs(latency.p90)} · p99 ${fmtMs(latency.p99)} · ` +
        `p99.9 ${fmtMs(latency.p999)} · max ${fmtMs(latency.max)} · mean ${fmtMs(latency.mean)}`,
    );
  }
  for (const [id, endpoint] of snapshot.perEndpoint) {
    if (endpoint.counts.totalRequests === 0) continue;
    const endpointLatency = summarizeMs(endpoint.latency);
    lines.push(
      `  ${pc.cyan(endpoint.name === id ? id : `${endpoint.name} (${id})`)}: delivered ${fmtInt(endpoint.counts.delivered)}` +
        (endpointLatency.count > 0 ? ` · p99 ${fmtMs(endpointLatency.p99)}` : ''),
    );
  }
  return lines.join('\n');
}

/** Resolves when the receiver should stop: SIGINT, SIGTERM, or the end of --duration. */
function stopRequested(durationSec: number | undefined): {
  done: Promise<string>;
  dispose(): void;
} {
  let dispose = (): void => undefined;
  const done = new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => resolve(signal);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const timer =
      durationSec === undefined
        ? undefined
        : setTimeout(() => resolve('duration'), durationSec * 1000);
    dispose = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      clearTimeout(timer);
    };
  });
  return { done, dispose: () => dispose() };
}

export async function receive(flags: ReceiveFlags): Promise<void> {
  const failRate = valueOf(flags, 'failRate', 'cli')!;
  const failStatus = valueOf(flags, 'failStatus', 'cli')!;
  const delayMs = valueOf(flags, 'delayMs', 'cli')!;
  const endpoints = flags.endpointsFile ? loadEndpointsFile(flags.endpointsFile) : [];
  const verifySignatures = flags.verify && flags.endpointsFile !== undefined;
  const receiver = new Receiver({
    host: flags.host,
    port: flags.port,
    path: flags.path,
    endpoints,
    verifySignatures,
    adminRoutes: true,
    ...(flags.runId.length > 0 ? { acceptRunIds: flags.runId } : {}),
    faults: {
      failureRate: failRate,
      failureStatus: failStatus,
      delayMs,
      seed: flags.faultSeed,
    },
  });
  const stop = stopRequested(flags.duration);
  try {
    try {
      await receiver.start();
    } catch (error) {
      throw listenError(error, flags);
    }
    const err = process.stderr;
    err.write(`${pc.bold('receiving webhooks on')} ${pc.cyan(receiver.url)}\n`);
    err.write(
      verifySignatures
        ? `  signatures verified for ${endpoints.length} endpoint(s) from ${flags.endpointsFile}\n`
        : pc.yellow(
            `  signatures not verified (${flags.endpointsFile ? '--no-verify' : 'no --endpoints-file'})\n`,
          ),
    );
    err.write(
      `  run ids: ${flags.runId.length > 0 ? flags.runId.join(', ') : 'any'} · faults: ` +
        `${(failRate * 100).toFixed(1)}% answered ${failStatus}, delay ${delayMs} ms\n`,
    );
    err.write(
      pc.dim(
        `  GET /metrics · GET /health · POST /metrics/reset · ` +
          (flags.duration === undefined ? 'Ctrl-C to stop' : `stops after ${flags.duration}s`) +
          '\n',
      ),
    );

    const startedMs = performance.now();
    let previousRequests = 0;
    const ticker = setInterval(() => {
      const snapshot = receiver.snapshot();
      const requests = snapshot.counts.totalRequests;
      const line = formatProgressLine(
        snapshot,
        (performance.now() - startedMs) / 1000,
        // POST /metrics/reset may have zeroed the count since the last line.
        Math.max(requests - previousRequests, 0) / flags.interval,
      );
      previousRequests = requests;
      err.write(`${line}\n`);
    }, flags.interval * 1000);

    const reason = await stop.done;
    clearInterval(ticker);
    err.write(pc.dim(`stopped (${reason})\n`));
    process.stdout.write(
      flags.json
        ? `${JSON.stringify(receiver.metricsJson())}\n`
        : `${formatFinalSummary(receiver.snapshot())}\n`,
    );
  } finally {
    stop.dispose();
    await receiver.close();
  }
}

export function registerReceiveCommand(program: Command): void {
  addFaultFlags(program.command('receive'))
    .description(
      'Run the webhook receiver alone: point the SUT at it, watch deliveries, read GET /metrics.',
    )
    .addHelpText('after', ONE_HOST_NOTE)
    .option(
      '--host <host>',
      'address to listen on (0.0.0.0 when the SUT runs in a container)',
      DEFAULT_HOST,
    )
    .option(
      '-p, --port <port>',
      'port to listen on; 0 picks a free one',
      port,
      DEFAULT_RECEIVE_PORT,
    )
    .option('--path <path>', 'path the SUT posts webhooks to', webhookPath, DEFAULT_PATH)
    .option(
      '--endpoints-file <file>',
      'JSON [{"id","name","secret"}] of the endpoints, to verify X-Webhook-Signature; without it signatures are not checked',
    )
    .option('--no-verify', 'do not check signatures even with --endpoints-file')
    .addOption(
      new Option(
        '--run-id <id>',
        'accept only this run id (repeatable); other runs count as foreign',
      )
        .argParser(runIdArgument)
        .default([], 'any run id'),
    )
    .option(
      '--fault-seed <n>',
      'seed of the injected failures (same seed, same requests fail)',
      integer,
      1,
    )
    .option('-d, --duration <seconds>', 'stop by itself after this long', positiveNumber)
    .option('--interval <seconds>', 'seconds between progress lines on stderr', positiveNumber, 5)
    .option('--json', 'on stop, print the final GET /metrics body as JSON on stdout', false)
    .action((flags: ReceiveFlags) => receive(flags));
}
