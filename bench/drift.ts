/**
 * `npx tsx bench/drift.ts`: how often `history` raises drift on nightly series, simulated (issue
 * 24). Every series is judged the way the nightly job judges it: after each night, the drift
 * analysis of the nights so far, an alarm when a worse shift began within the recent nights
 * (`history` exit 3). Seeded: the same options print the same counts.
 *
 *   flat   `--series` series of `--nights` nights at 10 ms, log-normal noise of sigma drawn
 *          uniformly in [--noise-min, --noise-max] (--uniform: noise uniform within ±sigma):
 *          counts series with any alarm (aim: rare)
 *   step   `--series` series with `--before` quiet nights, then `--ratio` times the level for up to
 *          RECENT_NIGHTS nights: counts the nights after the step until the first alarm
 *
 * Options: --series 1000 --nights 30 --before 6 --ratio 2 --noise-min 0.10 --noise-max 0.25
 * --seed 1 [--uniform] --score 5 (the detector's threshold, to see the trade-off). A script, not a test: it prints the counts and exits 0.
 */
import { parseArgs } from 'node:util';
import { LEVEL_SHIFT_SCORE } from '../src/compare/changepoint.js';
import { RECENT_NIGHTS, shiftsOf, type Night } from '../src/compare/drift.js';
import { seededRandom } from '../src/engine/random.js';

const { values: options } = parseArgs({
  options: {
    series: { type: 'string', default: '1000' },
    nights: { type: 'string', default: '30' },
    before: { type: 'string', default: '6' },
    ratio: { type: 'string', default: '2' },
    'noise-min': { type: 'string', default: '0.10' },
    'noise-max': { type: 'string', default: '0.25' },
    seed: { type: 'string', default: '1' },
    uniform: { type: 'boolean', default: false },
    score: { type: 'string', default: String(LEVEL_SHIFT_SCORE) },
  },
});
const seriesCount = Number(options.series);
const nightCount = Number(options.nights);
const before = Number(options.before);
const ratio = Number(options.ratio);
const noiseMin = Number(options['noise-min']);
const noiseMax = Number(options['noise-max']);
const random = seededRandom(Number(options.seed));
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

const nights: Night[] = Array.from(
  { length: Math.max(nightCount, before + RECENT_NIGHTS) },
  (_, i) => ({
    date: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
    commit: null,
  }),
);

/** The night (1-based count of nights seen) of the first alarm, or null. */
function firstAlarm(values: readonly number[], from: number): number | null {
  for (let seen = from; seen <= values.length; seen += 1) {
    const shifts = shiftsOf('p50', values.slice(0, seen), nights.slice(0, seen), {
      score: Number(options.score),
    });
    if (shifts.some((shift) => shift.worse && shift.nightsSince <= RECENT_NIGHTS)) return seen;
  }
  return null;
}

/** Log-normal by default; --uniform: level * (1 + u), u uniform in [-sigma, +sigma]. */
const noisy = (level: number, sigma: number) =>
  options.uniform ? level * (1 + sigma * (2 * random() - 1)) : level * Math.exp(sigma * normal());
const sigmaOf = () => noiseMin + (noiseMax - noiseMin) * random();

const started = performance.now();
let flatAlarms = 0;
const alarmNights: number[] = [];
for (let s = 0; s < seriesCount; s += 1) {
  const sigma = sigmaOf();
  const values = Array.from({ length: nightCount }, () => noisy(10, sigma));
  const alarm = firstAlarm(values, 2);
  if (alarm !== null) {
    flatAlarms += 1;
    alarmNights.push(alarm);
  }
}
console.log(
  `flat: ${flatAlarms} of ${seriesCount} series of ${nightCount} nights (${options.uniform ? 'uniform noise ±' : 'log-normal noise sigma '}${noiseMin}-${noiseMax}) raised drift on some night${alarmNights.length > 0 ? ` (first alarms on nights ${alarmNights.join(', ')})` : ''}`,
);

const nightsToFlag = new Map<number | null, number>();
const bySigma: { sigma: number; after: number | null }[] = [];
for (let s = 0; s < seriesCount; s += 1) {
  const sigma = sigmaOf();
  const values = Array.from({ length: before + RECENT_NIGHTS }, (_, i) =>
    noisy(i < before ? 10 : 10 * ratio, sigma),
  );
  const alarm = firstAlarm(values, before + 1);
  const after = alarm === null ? null : alarm - before;
  nightsToFlag.set(after, (nightsToFlag.get(after) ?? 0) + 1);
  bySigma.push({ sigma, after });
}
const counts = [...nightsToFlag.entries()]
  .sort(([a], [b]) => (a ?? Infinity) - (b ?? Infinity))
  .map(([after, count]) => `${after === null ? `never in ${RECENT_NIGHTS}` : after}: ${count}`);
console.log(
  `step ${ratio}x after ${before} nights: nights after the step until flagged: ${counts.join(', ')}`,
);
for (const [low, high] of [
  [noiseMin, (noiseMin + noiseMax) / 2],
  [(noiseMin + noiseMax) / 2, noiseMax],
] as const) {
  const band = bySigma.filter(({ sigma }) => sigma >= low && sigma < high);
  const within3 = band.filter(({ after }) => after !== null && after <= 3).length;
  console.log(
    `  noise sigma ${low.toFixed(3)}-${high.toFixed(3)}: ${within3} of ${band.length} flagged within 3 nights`,
  );
}
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
