import { describe, expect, it } from 'vitest';
import { EventGenerator } from '../engine/events/generator.js';
import {
  MalformedEntryError,
  parseDeliveryJob,
  parseStreamEntry,
  webhookBody,
  type DeliveryJob,
} from './job.js';

const generator = new EventGenerator({ chainId: 11155111, runId: '00112233445566ff', seed: 1 });

describe('parseStreamEntry', () => {
  it('types the flat fields as EthHook does: numbers, and topics as an array', () => {
    const flat = generator.build(3, 0, 10);
    const event = parseStreamEntry(flat);
    expect(event.chain_id).toBe(11155111);
    expect(typeof event.block_number).toBe('number');
    expect(typeof event.log_index).toBe('number');
    expect(typeof event.timestamp).toBe('number');
    expect(Array.isArray(event.topics)).toBe(true);
    expect(event.transaction_hash).toBe(flat[flat.indexOf('tx_hash') + 1]);
    expect(event.contract_address).toBe(flat[flat.indexOf('contract') + 1]);
  });

  it('ignores unknown fields and rejects missing or malformed ones', () => {
    const flat = generator.build(4, 0, 10);
    expect(() => parseStreamEntry([...flat, 'extra', 'x'])).not.toThrow();
    const without = (name: string) => {
      const copy = [...flat];
      copy.splice(copy.indexOf(name), 2);
      return copy;
    };
    const replaced = (name: string, value: string) => {
      const copy = [...flat];
      copy[copy.indexOf(name) + 1] = value;
      return copy;
    };
    expect(() => parseStreamEntry(without('tx_hash'))).toThrow(MalformedEntryError);
    expect(() => parseStreamEntry(replaced('topics', '{"a":1}'))).toThrow(/JSON array/);
    expect(() => parseStreamEntry(replaced('topics', 'not json'))).toThrow(/JSON array/);
    expect(() => parseStreamEntry(replaced('block_number', '12a'))).toThrow(/block_number/);
  });
});

describe('webhookBody', () => {
  it('writes the keys sorted, as serde_json does', () => {
    const body = webhookBody(parseStreamEntry(generator.build(5, 0, 10)));
    const keys = Object.keys(JSON.parse(body));
    expect(keys).toEqual([...keys].sort());
  });
});

describe('parseDeliveryJob', () => {
  const job: DeliveryJob = {
    endpoint_id: 'e',
    application_id: 'a',
    url: 'http://x/webhook',
    hmac_secret: 's',
    event: parseStreamEntry(generator.build(6, 0, 10)),
    attempt: 1,
    max_retries: 5,
    timeout_seconds: 30,
    rate_limit_per_second: 10,
  };

  it('round-trips a job and rejects anything else', () => {
    expect(parseDeliveryJob(JSON.stringify(job))).toEqual(job);
    expect(parseDeliveryJob('nope')).toBeNull();
    expect(parseDeliveryJob('null')).toBeNull();
    expect(parseDeliveryJob(JSON.stringify({ ...job, attempt: '1' }))).toBeNull();
    expect(
      parseDeliveryJob(JSON.stringify({ ...job, event: { ...job.event, topics: 'x' } })),
    ).toBeNull();
  });
});
