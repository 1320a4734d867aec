/**
 * Does the paired A/B check hold? (issue 11) Runs `run --base-start … --start …` against the
 * reference pipeline many times and counts outcomes:
 *
 *   aa        the same pipeline on both sides: every regression is a false alarm
 *   aa-noisy  the same, with a neighbour keeping one core busy half of the time
 *   ab2       the head's --processing-delay-ms chosen to double p50: every run should fail
 *   ab16      the same for 1.6x p50
 *   cost      one single-side check (3 trials) next to one paired check, back to back
 *
 * The delays are calibrated first with single-side runs (p50 at delay 0; a first guess of
 * (T-1) x p50 for target T, corrected once along the measured slope); the ratio reached is printed.
 *
 * npx tsx bench/ab.ts [--runs 10] [--rounds 3] [--only aa,ab2] [--pipeline fast|default] [--warmup 500]
 *
 * --pipeline: the reference pipeline at its fastest (endpoint cache on, no event or attempt rows;
 * the default here, as in bench:verdict) or with its default per-event SQL.
 * --warmup: unmeasured events per measurement (the quick scenario's default is 5 s of its rate,
 * 2,500; 500 keeps 40 paired runs under an hour). --events/--rate: a lighter load for a busy
 * machine, where the quick scenario's 500/s saturates the pipeline and queueing sets the latency.
 * The cost figure always uses the plain quick scenario.
 * Needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (or BENCH_REDIS_URL,
 * BENCH_DATABASE_URL) and the bundle (npm run bundle). Not part of npm test: it takes about a
 * minute per A/B run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// BENCH_CLI: a copy of the bundle, so rebuilding dist/ while the bench runs changes nothing.
const CLI = process.env.BENCH_CLI ?? path.join(root, 'bin', 'ethhook-load-test.js');
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}
const RUNS = Number(option('runs', '10'));
const ROUNDS = Number(option('rounds', '3'));
const ONLY = option('only', 'cost,aa,aa-noisy,ab2,ab16').split(',');
const WARMUP = option('warmup', '500');
const PIPELINE = option('pipeline', 'fast');
if (PIPELINE !== 'fast' && PIPELINE !== 'default') {
  process.stderr.write(`--pipeline ${PIPELINE}: expected fast or default\n`);
  process.exit(2);
}
const EVENTS = option('events', '');
const RATE = option('rate', '');

const schema = `ab_bench_${Date.now().toString(36)}`;
const databaseUrl = (() => {
  const url = new URL(DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
})();
const chainId = 1_800_000_000 + Math.floor(Math.random() * 99_999_999);
const work = mkdtempSync(path.join(tmpdir(), 'ab-bench-'));

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

function reference(delayMs: number): string {
  return [
    'exec node',
    quote(CLI),
    'reference --role all',
    `--redis-url ${quote(REDIS_URL)}`,
    `--database-url ${quote(databaseUrl)}`,
    '--apply-schema',
    `--chain-ids ${chainId}`,
    `--delivery-queue ab-bench:${schema}`,
    '--health-host 127.0.0.1 --processor-health-port 0 --delivery-health-port 0',
    `--processing-delay-ms ${delayMs}`,
    // At its fastest, as bench:verdict runs it: with per-event SQL (the default) the quick
    // scenario's 500/s is near this 2-core machine's capacity once a neighbour takes half a core,
    // and a saturated round's p50 (200 ms in one A/A round) says nothing about the change.
    ...(PIPELINE === 'fast' ? ['--endpoint-cache on --store-events off --log-attempts off'] : []),
  ].join(' ');
}

interface Outcome {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[]): Promise<Outcome> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) =>
    child.on('exit', (exitCode) => resolve({ exitCode, stdout, stderr, ms: Date.now() - started })),
  );
}

/** The detection runs' load: the quick scenario, with the bench's overrides. */
const shape = () => [
  '--warmup',
  WARMUP,
  ...(EVENTS ? ['--events', EVENTS] : []),
  ...(RATE ? ['--rate', RATE] : []),
];

const common = () => [
  'run',
  '--scenario',
  'quick',
  '--apply-schema',
  '--chain-id',
  String(chainId),
  '--redis-url',
  REDIS_URL,
  '--database-url',
  databaseUrl,
];

async function singleSide(delayMs: number, label: string): Promise<{ p50: number; ms: number }> {
  const out = path.join(work, `single-${label}.json`);
  const run = await cli([
    ...common(),
    '--trials',
    '1',
    '--start',
    reference(delayMs),
    '--out',
    out,
  ]);
  if (run.exitCode !== 0) throw new Error(`single-side run failed:\n${run.stderr.slice(-2000)}`);
  const result = JSON.parse(readFileSync(out, 'utf8')) as {
    delivery: { latencyMs: { p50: number } };
  };
  return { p50: result.delivery.latencyMs.p50, ms: run.ms };
}

interface PairedJson {
  reference: string;
  verdict: { outcome: string; metrics: { id: string; change: string; status: string }[] };
}

async function paired(baseDelay: number, headDelay: number, label: string, load = shape()) {
  const out = path.join(work, `ab-${label}.json`);
  const run = await cli([
    ...common(),
    ...load,
    '--rounds',
    String(ROUNDS),
    '--compare-to',
    'base',
    '--base-start',
    reference(baseDelay),
    '--start',
    reference(headDelay),
    '--out',
    out,
    '--json',
  ]);
  let parsed: PairedJson | null = null;
  try {
    parsed = JSON.parse(run.stdout) as PairedJson;
  } catch {
    // reported below with the exit code
  }
  const outcome = parsed?.verdict.outcome ?? `error (exit ${run.exitCode})`;
  const p50 = parsed?.verdict.metrics.find((metric) => metric.id === 'p50');
  if (!parsed) process.stderr.write(run.stderr.slice(-1500));
  return { outcome, p50: p50 ? `${p50.change} ${p50.status}` : '—', ms: run.ms };
}

/** One core busy half of the time: 50 ms of spinning, 50 ms of sleep, until stopped. */
function noisyNeighbour(): ChildProcess {
  const code =
    'for(;;){const end=Date.now()+50;while(Date.now()<end);Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,50)}';
  return spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function main() {
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  await db.query(`CREATE SCHEMA ${schema}`);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`# paired A/B bench: ${RUNS} runs of ${ROUNDS} rounds each; load average ${load()}`);
  try {
    // Calibration: p50 at delay 0 (median of 3 single-side runs); for each target ratio T a
    // first delay of (T-1) x p50, measured, then corrected once along the measured slope. The
    // flag takes fractions of a millisecond, so the ratio lands near the target, not on a
    // whole-millisecond step.
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    const p50At = async (delay: number, label: string, times = 1) => {
      const values: number[] = [];
      for (let time = 0; time < times; time++)
        values.push((await singleSide(delay, `${label}-${time}`)).p50);
      return median(values);
    };
    const base = await p50At(0, 'cal-0', 3);
    log(`calibration: --processing-delay-ms 0 -> p50 ${base.toFixed(2)} ms`);
    const calibrate = async (target: number): Promise<[number, number]> => {
      let delay = Number(((target - 1) * base).toFixed(3));
      let ratio = (await p50At(delay, `cal-${target}`, 3)) / base;
      log(`calibration: --processing-delay-ms ${delay} -> ${ratio.toFixed(2)}x`);
      // Corrected only when off by more than a tenth of the change aimed at: the ratio of one
      // calibration is itself noisy, and a near miss corrected moves further off as often as not.
      if (ratio > 1.02 && Math.abs(ratio - target) > 0.1 * (target - 1)) {
        delay = Number(((delay * (target - 1)) / (ratio - 1)).toFixed(3));
        ratio = (await p50At(delay, `cal-${target}-b`, 3)) / base;
        log(`calibration: --processing-delay-ms ${delay} -> ${ratio.toFixed(2)}x`);
      }
      return [delay, ratio];
    };
    const experiments: { name: string; head: number; noisy: boolean; note: string }[] = [];
    if (ONLY.includes('aa')) experiments.push({ name: 'aa', head: 0, noisy: false, note: 'A/A' });
    if (ONLY.includes('aa-noisy'))
      experiments.push({ name: 'aa-noisy', head: 0, noisy: true, note: 'A/A, noisy neighbour' });
    for (const [name, target] of [
      ['ab2', 2],
      ['ab16', 1.6],
    ] as const) {
      if (!ONLY.includes(name)) continue;
      const [delay, ratio] = await calibrate(target);
      experiments.push({
        name,
        head: delay,
        noisy: false,
        note: `A/B target ${target}x: delay ${delay} ms, calibrated p50 ratio ${ratio.toFixed(2)}x`,
      });
    }
    for (const experiment of experiments) {
      const neighbour = experiment.noisy ? noisyNeighbour() : null;
      const counts = new Map<string, number>();
      try {
        for (let run = 1; run <= RUNS; run++) {
          const outcome = await paired(0, experiment.head, `${experiment.name}-${run}`);
          counts.set(outcome.outcome, (counts.get(outcome.outcome) ?? 0) + 1);
          log(
            `${experiment.name} run ${run}: ${outcome.outcome}; p50 ${outcome.p50}; ${(outcome.ms / 1000).toFixed(0)} s; load ${load()}`,
          );
        }
      } finally {
        neighbour?.kill('SIGKILL');
      }
      log(
        `== ${experiment.note}: ${[...counts.entries()].map(([outcome, n]) => `${outcome} ${n}/${RUNS}`).join(', ')}`,
      );
    }
    if (ONLY.includes('cost')) {
      // The default quick check (3 trials of one side, default warm-up) next to a paired check
      // with the same settings, back to back.
      const single = await cli([
        ...common(),
        '--trials',
        '3',
        '--start',
        reference(0),
        '--out',
        path.join(work, 'cost-single.json'),
      ]);
      const pairedRun = await paired(0, 0, 'cost', []);
      log(
        `cost: single-side check (3 trials) ${(single.ms / 1000).toFixed(1)} s (exit ${single.exitCode}); paired check (${ROUNDS} rounds) ${(pairedRun.ms / 1000).toFixed(1)} s (${pairedRun.outcome}); load ${load()}`,
      );
    }
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.end();
    const redis = new Redis(REDIS_URL);
    await redis.del(`events:${chainId}`, `ab-bench:${schema}`);
    redis.disconnect();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
