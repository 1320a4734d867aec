import { describe, expect, it } from 'vitest';
import { LOAD_TEST_ENDPOINTS, TOPIC0 } from '../../stack/contracts.js';
import { matchingEndpoints } from '../../stack/matching.js';
import { EventGenerator, fieldsToObject, parseMix } from './generator.js';
import { decodeTxHash } from './identity.js';
import { decodeIntegerWords } from './abi.test-support.js';

const RUN_ID = '00112233aabbccdd';

describe('EventGenerator', () => {
  const generator = new EventGenerator({
    chainId: 11155111,
    runId: RUN_ID,
    seed: 7,
    baseTimestampSec: 1_700_000_000,
  });

  it('emits the documented flat fields', () => {
    const entry = fieldsToObject(generator.build(12, 3, 5_000));
    expect(Object.keys(entry)).toEqual([
      'chain_id',
      'block_number',
      'block_hash',
      'tx_hash',
      'log_index',
      'contract',
      'topics',
      'data',
      'timestamp',
    ]);
    expect(entry.chain_id).toBe('11155111');
    expect(entry.block_hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(entry.tx_hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(entry.contract).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(entry.data).toMatch(/^0x([0-9a-f]{64})+$/);
    expect(entry.timestamp).toMatch(/^\d+$/);
    for (const topic of JSON.parse(entry.topics!) as string[])
      expect(topic).toMatch(/^0x[0-9a-f]{64}$/);
    expect(decodeTxHash(entry.tx_hash!)).toEqual({
      runId: RUN_ID,
      shard: 3,
      sequence: 12,
      intendedSendUs: 5_000,
    });
  });

  it('left-pads indexed addresses and ABI-encodes the data', () => {
    for (let sequence = 0; sequence < 200; sequence++) {
      const entry = fieldsToObject(generator.build(sequence, 0, 0));
      const topics = JSON.parse(entry.topics!) as `0x${string}`[];
      const kind = generator.kindOf(sequence);
      expect(topics[0]).toBe(TOPIC0[kind.event]);
      for (const indexed of topics.slice(1)) expect(indexed.slice(2, 26)).toBe('0'.repeat(24));
      if (kind.event === 'Swap') {
        expect(topics).toHaveLength(3);
        const decoded = decodeIntegerWords(entry.data!, [
          { signed: true, bits: 256 },
          { signed: true, bits: 256 },
          { signed: false, bits: 160 },
          { signed: false, bits: 128 },
          { signed: true, bits: 24 },
        ]);
        expect(decoded).toHaveLength(5);
      } else {
        expect(topics).toHaveLength(kind.event === 'Transfer' ? 3 : 2);
        const [amount] = decodeIntegerWords(entry.data!, [{ signed: false, bits: 256 }]);
        expect(amount! < 1n << 80n).toBe(true);
      }
    }
  });

  it('puts several logs in each block with increasing block numbers', () => {
    const blocks = Array.from({ length: 35 }, (_, i) => fieldsToObject(generator.build(i, 0, 0)));
    expect(blocks[0]!.block_number).toBe(blocks[9]!.block_number);
    expect(Number(blocks[10]!.block_number)).toBe(Number(blocks[9]!.block_number) + 1);
    expect(blocks.map((b) => Number(b.log_index)).slice(0, 12)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1,
    ]);
    expect(Number(blocks[10]!.timestamp) - Number(blocks[0]!.timestamp)).toBe(12);
    expect(blocks[0]!.block_hash).not.toBe(blocks[10]!.block_hash);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const again = new EventGenerator({
      chainId: 11155111,
      runId: RUN_ID,
      seed: 7,
      baseTimestampSec: 1_700_000_000,
    });
    const other = new EventGenerator({
      chainId: 11155111,
      runId: RUN_ID,
      seed: 8,
      baseTimestampSec: 1_700_000_000,
    });
    const take = (g: EventGenerator) =>
      Array.from({ length: 50 }, (_, i) => g.build(i, 0, 0).join('|'));
    expect(take(again)).toEqual(take(generator));
    expect(take(other)).not.toEqual(take(generator));
  });

  it('spreads the default mix evenly over the five endpoints', () => {
    const counts = new Map<string, number>();
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const { contract } = generator.kindOf(i);
      counts.set(contract, (counts.get(contract) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(LOAD_TEST_ENDPOINTS.map((e) => e.key).sort());
    for (const count of counts.values()) expect(Math.abs(count / n - 0.2)).toBeLessThan(0.01);
  });

  it('honours a custom mix', () => {
    const onlyWeth = new EventGenerator({
      chainId: 1,
      runId: RUN_ID,
      seed: 1,
      mix: parseMix('weth=1'),
    });
    const events = new Set(Array.from({ length: 300 }, (_, i) => onlyWeth.kindOf(i)));
    expect([...events].every((k) => k.contract === 'weth')).toBe(true);
    expect(new Set([...events].map((k) => k.event))).toEqual(
      new Set(['Transfer', 'Deposit', 'Withdrawal']),
    );
  });
});

describe('parseMix', () => {
  it('parses weights and names the flag on errors', () => {
    expect(parseMix('usdc=2, dai=0.5')).toEqual({
      usdc: 2,
      weth: 0,
      dai: 0.5,
      link: 0,
      uniswap: 0,
    });
    expect(() => parseMix('btc=1')).toThrow(
      /--mix: unknown contract "btc"; valid names are usdc, weth, dai, link, uniswap/,
    );
    expect(() => parseMix('usdc')).toThrow(/--mix/);
    expect(() => parseMix('usdc=0')).toThrow(/at least one weight/);
  });
});

describe('generated events against the seeded load-test set', () => {
  it('every generated event matches exactly the endpoint of its contract', () => {
    const chainId = 11155111;
    const seeded = LOAD_TEST_ENDPOINTS.map((spec) => ({
      name: spec.endpointName,
      isActive: true,
      chainIds: [chainId],
      contractAddresses: [spec.contract] as string[],
      eventSignatures: spec.eventSignatures as string[] | null,
    }));
    const generator = new EventGenerator({ chainId, runId: '0123456789abcdef', seed: 7 });
    for (let sequence = 0; sequence < 200; sequence++) {
      const fields = fieldsToObject(generator.build(sequence, 0, 1));
      const event = {
        chainId: Number(fields.chain_id),
        contract: fields.contract!,
        topics: JSON.parse(fields.topics!) as string[],
      };
      const kind = generator.kindOf(sequence);
      const names = matchingEndpoints(seeded, event).map((e) => e.name);
      const spec = LOAD_TEST_ENDPOINTS.find((s) => s.key === kind.contract)!;
      expect(names).toEqual([spec.endpointName]);
    }
  });
});
