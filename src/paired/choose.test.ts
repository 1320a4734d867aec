import { describe, expect, it } from 'vitest';
import { updateBaseline } from '../compare/baseline.js';
import { fixtureConfig, fixtureEnvironment, makeRunResult, nightOf } from '../compare/fixtures.js';
import { historyNoise } from '../compare/noise.js';
import { aggregateTrials } from '../compare/trials.js';
import {
  baselineDifferences,
  blindSpot,
  chooseReference,
  noiseJudged,
  type ReferenceFacts,
} from './choose.js';

const otherCpu = [{ field: 'cpuModel', baseline: 'Xeon', current: 'EPYC' }];
const facts = (overrides: Partial<ReferenceFacts>): ReferenceFacts => ({
  compareTo: 'auto',
  settingName: 'compare-to',
  baseline: { environment: [], config: [] },
  base: { available: true },
  ...overrides,
});

describe('chooseReference', () => {
  it('auto keeps a committed baseline measured on a machine like this one, with the same load', () => {
    expect(chooseReference(facts({}))).toEqual({
      reference: 'baseline',
      why: 'compare-to auto: the committed baseline was measured on a machine like this one, with the same load',
    });
  });

  it('auto measures the base when the baseline is of another machine, another load, or missing', () => {
    expect(chooseReference(facts({ baseline: { environment: otherCpu, config: [] } }))).toEqual({
      reference: 'base',
      why: 'compare-to auto: the committed baseline was measured on another machine: cpuModel (baseline Xeon, current EPYC), so the base is measured here',
    });
    const otherLoad = [{ field: 'scenario', baseline: 'medium', current: 'quick' }];
    expect(chooseReference(facts({ baseline: { environment: [], config: otherLoad } })).why).toBe(
      'compare-to auto: the committed baseline was measured with another load: scenario (baseline medium, current quick), so the base is measured here',
    );
    expect(
      chooseReference(facts({ baseline: { environment: otherCpu, config: otherLoad } })).why,
    ).toBe(
      'compare-to auto: the committed baseline was measured on another machine: cpuModel (baseline Xeon, current EPYC), and with another load: scenario (baseline medium, current quick), so the base is measured here',
    );
    expect(chooseReference(facts({ baseline: null })).why).toBe(
      'compare-to auto: there is no committed baseline, so the base is measured here',
    );
  });

  it('auto falls back to the baseline, saying why, when the base cannot be measured', () => {
    const choice = chooseReference(
      facts({
        baseline: { environment: otherCpu, config: [] },
        base: {
          available: false,
          why: 'the SUT is already running (no compose-file or start-command)',
        },
      }),
    );
    expect(choice.reference).toBe('baseline');
    expect(choice.why).toContain(
      'and the base cannot be measured here (the SUT is already running (no compose-file or start-command))',
    );
  });

  it('baseline and base do as asked; base refuses when it cannot, naming the setting', () => {
    expect(chooseReference(facts({ compareTo: 'baseline', baseline: null })).reference).toBe(
      'baseline',
    );
    expect(chooseReference(facts({ compareTo: 'base' })).reference).toBe('base');
    expect(() =>
      chooseReference(
        facts({
          compareTo: 'base',
          settingName: '--compare-to',
          base: { available: false, why: 'no --base-dir, --base-start or --base-compose-file' },
        }),
      ),
    ).toThrow(
      '--compare-to "base" cannot measure the base here: no --base-dir, --base-start or --base-compose-file. Valid values: auto, baseline, base.',
    );
  });

  describe('baselineDifferences', () => {
    const baseline = (config = fixtureConfig()) =>
      updateBaseline(null, aggregateTrials([makeRunResult({ config })]), {
        name: 'quick',
        commit: null,
        date: '2026-11-01T03:17:00Z',
      });
    const current = (config = fixtureConfig()) => ({
      environment: async () => fixtureEnvironment(),
      config,
    });

    it('finds nothing between a baseline and a run of the same load on the same machine', async () => {
      expect(await baselineDifferences(baseline(), current())).toEqual({
        environment: [],
        config: [],
        busier: null,
        blind: null,
      });
      // The seed picks addresses, not how many or how fast: not a different load.
      expect(
        await baselineDifferences(baseline(), current({ ...fixtureConfig(), seed: 7 })),
      ).toEqual({
        environment: [],
        config: [],
        busier: null,
        blind: null,
      });
      expect(
        await baselineDifferences(null, {
          environment: () => Promise.reject(new Error('no baseline: no fingerprint needed')),
          config: fixtureConfig(),
        }),
      ).toBeNull();
    });

    it('measures the base when this runner is busier than the baseline’s was, by the all-cores probe', async () => {
      const probed = (allCoresMs: number) => ({
        ...fixtureEnvironment(),
        speed: { cpuMs: 35, redisRoundTripUs: null, allCoresMs },
      });
      const quiet = updateBaseline(
        null,
        aggregateTrials([makeRunResult({ environment: probed(36) })]),
        { name: 'quick', commit: null, date: '2026-11-01T03:17:00Z' },
      );
      const busy = await baselineDifferences(quiet, {
        environment: async () => probed(50),
        config: fixtureConfig(),
      });
      expect(busy?.environment).toEqual([]);
      expect(busy?.busier?.factor).toBeCloseTo(50 / 36, 6);
      const choice = chooseReference(facts({ baseline: busy }));
      expect(choice).toEqual({
        reference: 'base',
        why: "compare-to auto: the committed baseline was measured on a quieter runner (this runner was busier than the baseline's: all cores ran the CPU probe 1.43x as long as one (baseline 1.03x)), so the base is measured here",
      });
      // As quiet as the baseline's: the baseline serves.
      const same = await baselineDifferences(quiet, {
        environment: async () => probed(37),
        config: fixtureConfig(),
      });
      expect(chooseReference(facts({ baseline: same })).reference).toBe('baseline');
    });

    /** A baseline whose nights (p50, oldest first) precede a newest night of about `newest`. */
    const withNights = (nights: number[], newest: number) => {
      const latest = aggregateTrials(
        [newest, newest * 1.01, newest * 0.99].map((p50Ms) =>
          makeRunResult({ latency: { p50Ms, p95Ms: 40, p99Ms: 80 } }),
        ),
      );
      const date = (index: number) => new Date(Date.UTC(2025, 2, 1 + index)).toISOString();
      const history = nights.map((p50, index) => nightOf(latest, p50, date(index)));
      const made = updateBaseline(null, latest, {
        name: 'quick',
        commit: null,
        date: date(nights.length),
      });
      return { ...made, history, noise: historyNoise(history, { date: made.date, ...latest }) };
    };
    // The fast reference pipeline's nights one morning (p50 0.68-0.98 ms), and steady ones.
    const scattered = withNights([0.74, 0.68, 0.92, 0.98, 0.8], 0.87);
    const steady = withNights([0.86, 0.88, 0.87, 0.85, 0.89], 0.87);

    it('measures the base when the baseline’s nights vary too much to tell the tolerance in the median', async () => {
      const blind = blindSpot(scattered, 1.5);
      expect(blind).toMatchObject({ label: 'Latency p50', nights: 6, tolerance: 1.5 });
      expect(blind!.detectable).toBeGreaterThan(1.5);
      expect(blind!.spread).toMatch(/^±\d+(\.\d)?%$/);
      const differences = await baselineDifferences(scattered, current(), { tolerance: 1.5 });
      expect(differences).toMatchObject({ environment: [], config: [], busier: null });
      const choice = chooseReference(facts({ baseline: differences }));
      expect(choice.reference).toBe('base');
      expect(choice.why).toMatch(
        /^compare-to auto: the committed baseline's Latency p50 varies by ±\d+(\.\d)?% over its 6 nights: against it, a run can tell only changes of \+\d+% and more, not the 1\.5x tolerance, so the base is measured here$/,
      );
      // A wider tolerance is within what the nights can tell.
      expect(blindSpot(scattered, blind!.detectable + 0.01)).toBeNull();
      // Steady nights can tell the tolerance: the baseline serves.
      expect(blindSpot(steady, 1.5)).toBeNull();
      const steadyChoice = chooseReference(
        facts({ baseline: await baselineDifferences(steady, current(), { tolerance: 1.5 }) }),
      );
      expect(steadyChoice.reference).toBe('baseline');
      // Without the tolerance (or a baseline too young to have noise), nothing is blind.
      expect((await baselineDifferences(scattered, current()))?.blind).toBeNull();
      expect(blindSpot(baseline(), 1.5)).toBeNull();
    });

    it('leaves the median to the baseline where the user set its floor, does not gate it, or turned the history off', () => {
      expect(noiseJudged({})).toEqual(['p50', 'throughput']);
      expect(noiseJudged({ noiseFloors: { p50: 0.5 } })).toEqual(['throughput']);
      expect(noiseJudged({ gatedMetrics: ['p99', 'throughput'] })).toEqual(['throughput']);
      expect(noiseJudged({ useHistory: false })).toEqual([]);
      expect(blindSpot(scattered, 1.5, noiseJudged({ noiseFloors: { p50: 0.5 } }))).toBeNull();
    });

    it('names every load-shaping field that differs, so auto measures the base instead', async () => {
      const differences = await baselineDifferences(
        baseline(),
        current({
          ...fixtureConfig(),
          scenario: 'quick',
          ratePerSec: 200,
          concurrency: 2,
          mix: { transfer: 1 },
        }),
      );
      expect(differences?.environment).toEqual([]);
      expect(differences?.config.map((difference) => difference.field)).toEqual([
        'scenario',
        'ratePerSec',
        'concurrency',
        'mix',
      ]);
      const choice = chooseReference(facts({ baseline: differences }));
      expect(choice.reference).toBe('base');
      expect(choice.why).toBe(
        'compare-to auto: the committed baseline was measured with another load: scenario (baseline steady, current quick); ratePerSec (baseline 100, current 200); concurrency (baseline 4, current 2); mix (baseline swap=0.2, transfer=0.8, current transfer=1), so the base is measured here',
      );
    });
  });
});
