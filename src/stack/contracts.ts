/** The event kinds the generator emits, with their canonical signatures (no `indexed`, no names). */
export const EVENT_SIGNATURES = {
  Transfer: 'Transfer(address,address,uint256)',
  Deposit: 'Deposit(address,uint256)',
  Withdrawal: 'Withdrawal(address,uint256)',
  Swap: 'Swap(address,address,int256,int256,uint160,uint128,int24)',
} as const;

export type EventName = keyof typeof EVENT_SIGNATURES;

/**
 * topics[0] of each event: keccak256 of its canonical signature. Constants, so the action carries
 * no keccak at run time; contracts.test.ts recomputes them (and the address checksums below).
 */
export const TOPIC0: Record<EventName, `0x${string}`> = {
  Transfer: '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef',
  Deposit: '0xe1fffcc4923d04b559f4d29a8bfc6cda04eb5b0d3c460751c2402c5c5cc9109c',
  Withdrawal: '0x7fcf532c15f0a6db0bd6d0e038bea71d30d808c7d98cb3bf7268a95bf5081b65',
  Swap: '0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67',
};

export type ContractKey = 'usdc' | 'weth' | 'dai' | 'link' | 'uniswap';

export interface LoadTestEndpointSpec {
  key: ContractKey;
  /** Endpoint name as seeded into Postgres. */
  endpointName: string;
  /** Sepolia address, EIP-55 checksummed. */
  contract: `0x${string}`;
  /** Events the generator emits for this contract. */
  emits: readonly EventName[];
  /**
   * What the endpoint subscribes to, as topic hashes; null = every event of the contract.
   * WETH is null on purpose: a list of three topic0 hashes would match nothing under EthHook's
   * "every signature is among the topics" rule.
   */
  eventSignatures: readonly `0x${string}`[] | null;
}

/** The seeded load-test set of DESIGN.md (Sepolia). */
export const LOAD_TEST_ENDPOINTS: readonly LoadTestEndpointSpec[] = [
  {
    key: 'usdc',
    endpointName: 'USDC Transfers',
    contract: '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238',
    emits: ['Transfer'],
    eventSignatures: [TOPIC0.Transfer],
  },
  {
    key: 'weth',
    endpointName: 'WETH All Events',
    contract: '0x7b79995e5f793A07Bc00c21412e50Ecae098E7f9',
    emits: ['Transfer', 'Deposit', 'Withdrawal'],
    eventSignatures: null,
  },
  {
    key: 'dai',
    endpointName: 'DAI Transfers',
    contract: '0xFF34B3d4Aee8ddCd6F9AFFFB6Fe49bD371b8a357',
    emits: ['Transfer'],
    eventSignatures: [TOPIC0.Transfer],
  },
  {
    key: 'link',
    endpointName: 'LINK Transfers',
    contract: '0x779877A7B0D9E8603169DdbD7836e478b4624789',
    emits: ['Transfer'],
    eventSignatures: [TOPIC0.Transfer],
  },
  {
    key: 'uniswap',
    endpointName: 'Uniswap V3 Swaps',
    contract: '0x0227628f3F023bb0B980b67D528571c95c6DaC1c',
    emits: ['Swap'],
    eventSignatures: [TOPIC0.Swap],
  },
];

export const CONTRACT_KEYS: readonly ContractKey[] = LOAD_TEST_ENDPOINTS.map((e) => e.key);

export const DEFAULT_CHAIN_ID = 11155111;

export function streamKey(chainId: number): string {
  return `events:${chainId}`;
}

/** The list the SUT's processor LPUSHes delivery jobs to and its workers BRPOP (DESIGN.md). */
export const DELIVERY_QUEUE = 'delivery_queue';
