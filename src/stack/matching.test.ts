import { describe, expect, it } from 'vitest';
import { LOAD_TEST_ENDPOINTS, TOPIC0 } from './contracts.js';
import { endpointMatches, matchingEndpoints, type MatchableEndpoint } from './matching.js';

const CHAIN = 11155111;
const USDC = '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238';
const WETH = '0x7b79995e5f793A07Bc00c21412e50Ecae098E7f9';
const ALICE = `0x${'0'.repeat(24)}${'a1'.repeat(20)}`;
const BOB = `0x${'0'.repeat(24)}${'b2'.repeat(20)}`;

const transferOf = (contract: string, chainId = CHAIN) => ({
  chainId,
  contract,
  topics: [TOPIC0.Transfer, ALICE, BOB],
});

const endpoint = (overrides: Partial<MatchableEndpoint> = {}): MatchableEndpoint => ({
  isActive: true,
  chainIds: [CHAIN],
  contractAddresses: [USDC],
  eventSignatures: [TOPIC0.Transfer],
  ...overrides,
});

describe('endpointMatches', () => {
  it('matches an active endpoint on its chain, contract and topic', () => {
    expect(endpointMatches(endpoint(), transferOf(USDC))).toBe(true);
  });

  it('compares contracts ignoring case, either side', () => {
    expect(endpointMatches(endpoint(), transferOf(USDC.toLowerCase()))).toBe(true);
    expect(endpointMatches(endpoint(), transferOf(USDC.toUpperCase().replace('0X', '0x')))).toBe(
      true,
    );
    expect(
      endpointMatches(endpoint({ contractAddresses: [USDC.toLowerCase()] }), transferOf(USDC)),
    ).toBe(true);
    expect(endpointMatches(endpoint(), transferOf(WETH))).toBe(false);
  });

  it('treats NULL columns as "any"', () => {
    const open = endpoint({ chainIds: null, contractAddresses: null, eventSignatures: null });
    expect(endpointMatches(open, transferOf(WETH, 1))).toBe(true);
    expect(endpointMatches(endpoint({ contractAddresses: null }), transferOf(WETH))).toBe(true);
    expect(endpointMatches(endpoint({ chainIds: null }), transferOf(USDC, 42161))).toBe(true);
  });

  it('never matches an inactive endpoint', () => {
    const open = {
      isActive: false,
      chainIds: null,
      contractAddresses: null,
      eventSignatures: null,
    };
    expect(endpointMatches(open, transferOf(USDC))).toBe(false);
  });

  it('filters on chain_ids', () => {
    expect(endpointMatches(endpoint({ chainIds: [1, 10] }), transferOf(USDC))).toBe(false);
    expect(endpointMatches(endpoint({ chainIds: [1, CHAIN] }), transferOf(USDC))).toBe(true);
    expect(endpointMatches(endpoint({ chainIds: [] }), transferOf(USDC))).toBe(false);
  });

  it('requires every event signature to be among the topics (subset rule)', () => {
    // An indexed argument may be part of the filter too.
    expect(
      endpointMatches(endpoint({ eventSignatures: [TOPIC0.Transfer, BOB] }), transferOf(USDC)),
    ).toBe(true);
    const charlie = `0x${'0'.repeat(24)}${'c3'.repeat(20)}`;
    expect(
      endpointMatches(endpoint({ eventSignatures: [TOPIC0.Transfer, charlie] }), transferOf(USDC)),
    ).toBe(false);
    // Empty list: contained in anything, like '{}' <@ topics.
    expect(endpointMatches(endpoint({ eventSignatures: [] }), transferOf(USDC))).toBe(true);
  });

  it('compares signatures exactly: human-readable signatures never match', () => {
    expect(
      endpointMatches(
        endpoint({ eventSignatures: ['Transfer(address indexed,address indexed,uint256)'] }),
        transferOf(USDC),
      ),
    ).toBe(false);
    expect(
      endpointMatches(
        endpoint({ eventSignatures: [TOPIC0.Transfer.toUpperCase()] }),
        transferOf(USDC),
      ),
    ).toBe(false);
  });

  it('ignores NULL elements inside arrays, as SQL does', () => {
    const withNull = (list: (string | null)[]) => list as unknown as string[];
    expect(
      endpointMatches(endpoint({ contractAddresses: withNull([null, USDC]) }), transferOf(USDC)),
    ).toBe(true);
    expect(
      endpointMatches(
        endpoint({ eventSignatures: withNull([TOPIC0.Transfer, null]) }),
        transferOf(USDC),
      ),
    ).toBe(false);
  });
});

describe('the seeded load-test set', () => {
  const seeded = LOAD_TEST_ENDPOINTS.map((spec) => ({
    name: spec.endpointName,
    isActive: true,
    chainIds: [CHAIN],
    contractAddresses: [spec.contract] as string[],
    eventSignatures: spec.eventSignatures as string[] | null,
  }));
  const weth = LOAD_TEST_ENDPOINTS.find((spec) => spec.key === 'weth')!;

  it('WETH with NULL signatures matches its Transfer, Deposit and Withdrawal', () => {
    for (const topic0 of [TOPIC0.Transfer, TOPIC0.Deposit, TOPIC0.Withdrawal]) {
      const names = matchingEndpoints(seeded, {
        chainId: CHAIN,
        contract: weth.contract,
        topics: [topic0, ALICE],
      }).map((e) => e.name);
      expect(names).toEqual(['WETH All Events']);
    }
  });

  it('a list of the three topic0 hashes (what the original script stored) matches nothing', () => {
    const threeHashes = endpoint({
      contractAddresses: [weth.contract],
      eventSignatures: [TOPIC0.Transfer, TOPIC0.Deposit, TOPIC0.Withdrawal],
    });
    for (const topic0 of [TOPIC0.Transfer, TOPIC0.Deposit, TOPIC0.Withdrawal]) {
      expect(
        endpointMatches(threeHashes, {
          chainId: CHAIN,
          contract: weth.contract,
          topics: [topic0, ALICE],
        }),
      ).toBe(false);
    }
  });

  it('events of another chain match nothing', () => {
    expect(matchingEndpoints(seeded, transferOf(USDC, 1))).toEqual([]);
  });
});
