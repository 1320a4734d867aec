import { describe, expect, it, vi } from 'vitest';
import { seededEndpointsFixture } from '../../stack/fixtures.js';
import type { SeededEndpoint } from '../../stack/seeder.js';
import { EventGenerator, parseMix } from '../events/generator.js';
import { ExpectedPairs } from './expected.js';

const endpoints = seededEndpointsFixture();

function pairsOf(expected: ExpectedPairs): { endpointIndex: number; sequence: number }[] {
  const pairs: { endpointIndex: number; sequence: number }[] = [];
  expected.forEach((endpointIndex, sequence) => pairs.push({ endpointIndex, sequence }));
  return pairs;
}

function settled(
  generator: EventGenerator,
  list: readonly SeededEndpoint[],
  published: number,
  failed: number[] = [],
): ExpectedPairs {
  const expected = new ExpectedPairs(generator, list);
  expected.settle(published, failed);
  return expected;
}

describe('ExpectedPairs', () => {
  const generator = new EventGenerator({ chainId: 11155111, runId: '0123456789abcdef', seed: 3 });

  it('expects one delivery per event under the default mix, to the endpoint of its contract', () => {
    const expected = settled(generator, endpoints, 500);
    expect(expected.count).toBe(500);
    const pairs = pairsOf(expected);
    expect(pairs).toHaveLength(500);
    for (const { endpointIndex, sequence } of pairs) {
      expect(endpoints[endpointIndex]!.contractAddresses![0]).toBe(
        generator.kindOf(sequence).address,
      );
    }
  });

  it('skips events whose XADD failed', () => {
    const expected = settled(generator, endpoints, 500, [0, 1, 2]);
    expect(expected.count).toBe(497);
    expect(pairsOf(expected)).toHaveLength(497);
  });

  it('applies the SUT rule: inactive endpoints and other chains expect nothing, two matching endpoints expect two', () => {
    const usdcOnly = new EventGenerator({
      chainId: 11155111,
      runId: '0123456789abcdef',
      seed: 3,
      mix: parseMix('usdc=1'),
    });
    const twice = [...endpoints, { ...endpoints[0]!, id: 'second-usdc' }];
    expect(settled(usdcOnly, twice, 10).count).toBe(20);
    const inactive = endpoints.map((e) => ({ ...e, isActive: false }));
    expect(settled(usdcOnly, inactive, 10).count).toBe(0);
    const otherChain = endpoints.map((e) => ({ ...e, chainIds: [1] }));
    expect(settled(usdcOnly, otherChain, 10).count).toBe(0);
  });

  it('counts the pairs without building or parsing a single event', () => {
    const build = vi.spyOn(generator, 'build');
    const expected = new ExpectedPairs(generator, endpoints);
    expected.prepare(20_000);
    expected.settle(20_000, [5]);
    expect(expected.count).toBe(19_999);
    expect(build).not.toHaveBeenCalled();
    build.mockRestore();
  });

  it('a count prepared before publishing agrees with one made at the end', () => {
    const ahead = new ExpectedPairs(generator, endpoints);
    ahead.prepare(1_000);
    ahead.settle(700, [3, 900]);
    expect(ahead.count).toBe(settled(generator, endpoints, 700, [3]).count);
  });

  it('tells an expected pair from a misrouted delivery or an event nobody published', () => {
    const expected = new ExpectedPairs(generator, endpoints);
    expected.prepare(100);
    const sequence = 7;
    const home = endpoints.findIndex(
      (endpoint) => endpoint.contractAddresses![0] === generator.kindOf(sequence).address,
    );
    const elsewhere = (home + 1) % endpoints.length;
    expect(expected.expects(endpoints[home]!.id, sequence)).toBe(true);
    expect(expected.expects(endpoints[elsewhere]!.id, sequence)).toBe(false);
    expect(expected.expects('not-an-endpoint', sequence)).toBe(false);
    expect(expected.expects(endpoints[home]!.id, 100)).toBe(false);
    expected.settle(50, [sequence]);
    expect(expected.expects(endpoints[home]!.id, sequence)).toBe(false);
  });
});
