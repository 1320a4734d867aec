/** A log as EthHook's processor parses it from the stream, and as the webhook body carries it. */
export interface WebhookEvent {
  chain_id: number;
  block_number: number;
  block_hash: string;
  transaction_hash: string;
  log_index: number;
  contract_address: string;
  topics: string[];
  data: string;
  timestamp: number;
}

/** The job the processor LPUSHes onto the delivery queue (EthHook's DeliveryJob, field for field). */
export interface DeliveryJob {
  endpoint_id: string;
  application_id: string;
  url: string;
  hmac_secret: string;
  event: WebhookEvent;
  /** 1-based; a job requeued at shutdown carries the attempt it should make next. */
  attempt: number;
  max_retries: number;
  timeout_seconds: number;
  rate_limit_per_second: number;
}

export class MalformedEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedEntryError';
  }
}

const DECIMAL = /^\d+$/;
const SIGNED_DECIMAL = /^-?\d+$/;

function decimal(fields: Map<string, string>, name: string, pattern = DECIMAL): number {
  const text = fields.get(name);
  if (text === undefined) throw new MalformedEntryError(`missing field ${name}`);
  if (!pattern.test(text)) throw new MalformedEntryError(`${name} is not a decimal: "${text}"`);
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new MalformedEntryError(`${name} is out of range: ${text}`);
  return value;
}

function text(fields: Map<string, string>, name: string): string {
  const value = fields.get(name);
  if (value === undefined) throw new MalformedEntryError(`missing field ${name}`);
  return value;
}

/**
 * Parses one stream entry's flat field list (`chain_id`, `block_number`, `block_hash`, `tx_hash`,
 * `log_index`, `contract`, `topics` as a JSON array, `data`, `timestamp`); unknown fields are
 * ignored, as EthHook does.
 */
export function parseStreamEntry(flat: readonly string[]): WebhookEvent {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
  let topics: unknown;
  try {
    topics = JSON.parse(text(fields, 'topics'));
  } catch (error) {
    if (error instanceof MalformedEntryError) throw error;
    throw new MalformedEntryError('topics is not a JSON array');
  }
  if (!Array.isArray(topics) || !topics.every((topic) => typeof topic === 'string')) {
    throw new MalformedEntryError('topics is not a JSON array of strings');
  }
  return {
    chain_id: decimal(fields, 'chain_id'),
    block_number: decimal(fields, 'block_number'),
    block_hash: text(fields, 'block_hash'),
    transaction_hash: text(fields, 'tx_hash'),
    log_index: decimal(fields, 'log_index'),
    contract_address: text(fields, 'contract'),
    topics: topics as string[],
    data: text(fields, 'data'),
    timestamp: decimal(fields, 'timestamp', SIGNED_DECIMAL),
  };
}

/**
 * The webhook body. EthHook builds it with serde_json's `json!`, whose map (without the
 * preserve_order feature) serialises keys sorted, so the keys are written in that order here too.
 * Receivers must verify the signature over the raw bytes anyway.
 */
export function webhookBody(event: WebhookEvent): string {
  return JSON.stringify({
    block_hash: event.block_hash,
    block_number: event.block_number,
    chain_id: event.chain_id,
    contract_address: event.contract_address,
    data: event.data,
    log_index: event.log_index,
    timestamp: event.timestamp,
    topics: event.topics,
    transaction_hash: event.transaction_hash,
  });
}

function isWebhookEvent(value: unknown): value is WebhookEvent {
  const event = value as Record<string, unknown> | null;
  return (
    typeof event === 'object' &&
    event !== null &&
    typeof event.chain_id === 'number' &&
    typeof event.block_number === 'number' &&
    typeof event.block_hash === 'string' &&
    typeof event.transaction_hash === 'string' &&
    typeof event.log_index === 'number' &&
    typeof event.contract_address === 'string' &&
    Array.isArray(event.topics) &&
    typeof event.data === 'string' &&
    typeof event.timestamp === 'number'
  );
}

/** Parses a queue entry; null when it is not a delivery job (logged and dropped by the worker). */
export function parseDeliveryJob(json: string): DeliveryJob | null {
  let job: Record<string, unknown>;
  try {
    job = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (
    typeof job !== 'object' ||
    job === null ||
    typeof job.endpoint_id !== 'string' ||
    typeof job.application_id !== 'string' ||
    typeof job.url !== 'string' ||
    typeof job.hmac_secret !== 'string' ||
    !isWebhookEvent(job.event) ||
    !Number.isInteger(job.attempt) ||
    !Number.isInteger(job.max_retries) ||
    !Number.isInteger(job.timeout_seconds) ||
    !Number.isInteger(job.rate_limit_per_second)
  ) {
    return null;
  }
  return job as unknown as DeliveryJob;
}
