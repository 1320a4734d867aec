import { createHash, hash } from 'node:crypto';
import {
  CONTRACT_KEYS,
  LOAD_TEST_ENDPOINTS,
  TOPIC0,
  type ContractKey,
  type EventName,
} from '../../stack/contracts.js';
import { addressTopic, encodeIntegers, type Hex } from './abi.js';
import { encodeTxHash } from './identity.js';

/** Relative weight of each contract in the generated stream; WETH's share is split over its events. */
export type EventMix = Record<ContractKey, number>;

export const DEFAULT_MIX: EventMix = { usdc: 1, weth: 1, dai: 1, link: 1, uniswap: 1 };

/** Parses `usdc=2,weth=1,...`; omitted contracts get weight 0. */
export function parseMix(text: string, inputName = '--mix'): EventMix {
  const mix: EventMix = { usdc: 0, weth: 0, dai: 0, link: 0, uniswap: 0 };
  const valid = CONTRACT_KEYS.join(', ');
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z]+)\s*=\s*(\d+(?:\.\d+)?)$/i.exec(part);
    if (!match) {
      throw new Error(`${inputName}: "${part}" is not of the form name=weight (names: ${valid})`);
    }
    const key = match[1]!.toLowerCase() as ContractKey;
    if (!CONTRACT_KEYS.includes(key)) {
      throw new Error(`${inputName}: unknown contract "${match[1]}"; valid names are ${valid}`);
    }
    mix[key] = Number(match[2]);
  }
  if (Object.values(mix).every((w) => w === 0)) {
    throw new Error(`${inputName}: at least one weight must be above 0 (names: ${valid})`);
  }
  return mix;
}

export interface GeneratorOptions {
  chainId: number;
  runId: string;
  /** Seed of every pseudo-random choice: the same seed gives the same stream. */
  seed: number;
  mix?: EventMix;
  startBlock?: number;
  logsPerBlock?: number;
  /** Unix seconds of the first block; blocks follow every 12 s. */
  baseTimestampSec?: number;
}

/** One stream entry: flat string fields in the order of the EthHook contract. */
export type StreamFields = string[];

/** The fields an entry takes from its shape: contract, topics (JSON text) and data. */
export interface ShapePayload {
  contract: string;
  topics: string;
  data: string;
}

/** The fields an entry takes from its block. */
export interface BlockFields {
  blockNumber: number;
  /** 0x and 64 hex digits. */
  blockHash: string;
  /** Unix seconds. */
  timestampSec: number;
}

interface Template {
  contract: ContractKey;
  address: string;
  event: EventName;
  /** Pre-encoded variants: JSON topics array and ABI data. */
  variants: { topics: string; data: string }[];
}

const VARIANTS_PER_TEMPLATE = 64;

/** 32-bit mix of seed and index (splitmix-style): stateless, so any shard can generate any index. */
function hash32(seed: number, index: number, salt: number): number {
  let x = (seed ^ Math.imul(index, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** Lower case: it only ever appears as an indexed topic, where checksum case is dropped. */
function pseudoAddress(seed: number, index: number): Hex {
  const digest = createHash('sha256').update(`addr:${seed}:${index}`).digest('hex');
  return `0x${digest.slice(0, 40)}`;
}

function pseudoUint(seed: number, index: number, bits: number): bigint {
  const digest = createHash('sha256').update(`uint:${seed}:${index}`).digest('hex');
  return BigInt(`0x${digest}`) & ((1n << BigInt(bits)) - 1n);
}

function encodeVariant(
  event: EventName,
  seed: number,
  index: number,
): { topics: Hex[]; data: Hex } {
  const indexedAddress = (salt: number): Hex => addressTopic(pseudoAddress(seed, index * 4 + salt));
  // Token amounts below 2^80 look like real balances, not random 256-bit noise.
  const amount = pseudoUint(seed, index, 80);
  switch (event) {
    case 'Transfer':
      return {
        topics: [TOPIC0.Transfer, indexedAddress(0), indexedAddress(1)],
        data: encodeIntegers([{ signed: false, bits: 256, value: amount }]),
      };
    case 'Deposit':
      return {
        topics: [TOPIC0.Deposit, indexedAddress(0)],
        data: encodeIntegers([{ signed: false, bits: 256, value: amount }]),
      };
    case 'Withdrawal':
      return {
        topics: [TOPIC0.Withdrawal, indexedAddress(0)],
        data: encodeIntegers([{ signed: false, bits: 256, value: amount }]),
      };
    case 'Swap': {
      const amount1 = pseudoUint(seed, index + 1_000_000, 72);
      const tick = Number(pseudoUint(seed, index + 2_000_000, 19)) - 262_144;
      return {
        topics: [TOPIC0.Swap, indexedAddress(0), indexedAddress(1)],
        data: encodeIntegers([
          { signed: true, bits: 256, value: index % 2 === 0 ? amount : -amount },
          { signed: true, bits: 256, value: index % 2 === 0 ? -amount1 : amount1 },
          { signed: false, bits: 160, value: pseudoUint(seed, index + 3_000_000, 160) },
          { signed: false, bits: 128, value: pseudoUint(seed, index + 4_000_000, 100) },
          { signed: true, bits: 24, value: tick },
        ]),
      };
    }
  }
}

/**
 * Builds realistic EthHook stream entries for a run. Payload variants are ABI-encoded once at
 * construction so the publisher's hot path only picks and concatenates strings.
 */
export class EventGenerator {
  readonly chainId: number;
  readonly runId: string;
  private readonly seed: number;
  private readonly startBlock: number;
  /** Entries of one block share block_number, block_hash and timestamp. */
  readonly logsPerBlock: number;
  private readonly baseTimestampSec: number;
  private readonly templates: Template[] = [];
  /** Cumulative weights over templates, scaled to 2^32. */
  private readonly thresholds: number[] = [];
  private readonly chainIdText: string;

  constructor(options: GeneratorOptions) {
    this.chainId = options.chainId;
    this.runId = options.runId;
    this.seed = options.seed >>> 0;
    this.startBlock = options.startBlock ?? 5_000_000;
    this.logsPerBlock = options.logsPerBlock ?? 10;
    this.baseTimestampSec = options.baseTimestampSec ?? Math.floor(Date.now() / 1000);
    this.chainIdText = String(this.chainId);
    const mix = options.mix ?? DEFAULT_MIX;

    const weighted: { template: Template; weight: number }[] = [];
    for (const endpoint of LOAD_TEST_ENDPOINTS) {
      const weight = mix[endpoint.key];
      if (!(weight > 0)) continue;
      for (const event of endpoint.emits) {
        const variants = Array.from({ length: VARIANTS_PER_TEMPLATE }, (_, i) => {
          const { topics, data } = encodeVariant(event, this.seed, i + weighted.length * 1000);
          return { topics: JSON.stringify(topics), data };
        });
        weighted.push({
          template: { contract: endpoint.key, address: endpoint.contract, event, variants },
          weight: weight / endpoint.emits.length,
        });
      }
    }
    const total = weighted.reduce((sum, w) => sum + w.weight, 0);
    let cumulative = 0;
    for (const { template, weight } of weighted) {
      cumulative += weight;
      this.templates.push(template);
      this.thresholds.push(Math.floor((cumulative / total) * 2 ** 32));
    }
    this.thresholds[this.thresholds.length - 1] = 2 ** 32;
  }

  /** Which contract and event the entry with this sequence number carries. */
  kindOf(sequence: number): { contract: ContractKey; address: string; event: EventName } {
    const { contract, address, event } = this.templateOf(sequence);
    return { contract, address, event };
  }

  blockNumberOf(sequence: number): number {
    return this.startBlock + Math.floor(sequence / this.logsPerBlock);
  }

  /**
   * Every (contract, topics) the generator emits, in the order `shapeOf` indexes them: a few hundred
   * at most, so a rule that depends only on contract and topics (EthHook's endpoint matching) can be
   * evaluated once per shape instead of once per event.
   */
  shapes(): { contract: string; topics: readonly string[] }[] {
    return this.templates.flatMap((template) =>
      template.variants.map((variant) => ({
        contract: template.address,
        topics: JSON.parse(variant.topics) as string[],
      })),
    );
  }

  /** Index into shapes() of the contract and topics that entry `sequence` carries. */
  shapeOf(sequence: number): number {
    return this.templateIndexOf(sequence) * VARIANTS_PER_TEMPLATE + this.variantIndexOf(sequence);
  }

  /**
   * The payload fields of each shape, indexed as shapes() and shapeOf(): what an encoder can encode
   * once per run instead of once per event.
   */
  shapePayloads(): ShapePayload[] {
    return this.templates.flatMap((template) =>
      template.variants.map((variant) => ({
        contract: template.address,
        topics: variant.topics,
        data: variant.data,
      })),
    );
  }

  /** The block fields of entry `sequence` (the same for the whole block). */
  blockOf(sequence: number): BlockFields {
    const blockOffset = Math.floor(sequence / this.logsPerBlock);
    const blockNumber = this.startBlock + blockOffset;
    return {
      blockNumber,
      blockHash: this.blockHash(blockNumber),
      timestampSec: this.baseTimestampSec + blockOffset * 12,
    };
  }

  /**
   * The XADD field list for event `sequence`, published by `shard`, due at `intendedSendUs`. The
   * publisher encodes the same fields without building this list (publisher/xadd-encoder.ts); its
   * tests pin that both give the same bytes.
   */
  build(sequence: number, shard: number, intendedSendUs: number): StreamFields {
    const template = this.templateOf(sequence);
    const payload = template.variants[this.variantIndexOf(sequence)]!;
    const block = this.blockOf(sequence);
    return [
      'chain_id',
      this.chainIdText,
      'block_number',
      String(block.blockNumber),
      'block_hash',
      block.blockHash,
      'tx_hash',
      encodeTxHash({ runId: this.runId, shard, sequence, intendedSendUs }),
      'log_index',
      String(sequence % this.logsPerBlock),
      'contract',
      template.address,
      'topics',
      payload.topics,
      'data',
      payload.data,
      'timestamp',
      String(block.timestampSec),
    ];
  }

  private templateOf(sequence: number): Template {
    return this.templates[this.templateIndexOf(sequence)]!;
  }

  private templateIndexOf(sequence: number): number {
    const draw = hash32(this.seed, sequence, 1);
    const thresholds = this.thresholds;
    let index = 0;
    while (draw >= thresholds[index]!) index++;
    return index;
  }

  private variantIndexOf(sequence: number): number {
    return hash32(this.seed, sequence, 2) % VARIANTS_PER_TEMPLATE;
  }

  private lastBlock = -1;
  private lastBlockHash = '';

  private blockHash(blockNumber: number): string {
    if (blockNumber !== this.lastBlock) {
      this.lastBlock = blockNumber;
      // One-shot hash: a new Hash object per block cost the publisher more than the digest.
      this.lastBlockHash = `0x${hash('sha256', `block:${this.seed}:${blockNumber}`, 'hex')}`;
    }
    return this.lastBlockHash;
  }
}

/** Converts a flat field list into an object (for tests and the reference processor). */
export function fieldsToObject(fields: readonly string[]): Record<string, string> {
  const object: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) object[fields[i]!] = fields[i + 1]!;
  return object;
}
