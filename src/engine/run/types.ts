import type { StealSource } from '../measure/steal.js';
import type { EventMix } from '../events/generator.js';
import type { Logger } from '../log.js';

export type ScenarioName = 'quick' | 'medium' | 'stress' | 'burst' | 'sustained';

/** The shape of the load: a named scenario with any field overridden. */
export interface LoadShape {
  scenario: ScenarioName | 'custom';
  /** null when bounded by duration. */
  events: number | null;
  /** events/s; 0 = as fast as possible. */
  ratePerSec: number;
  concurrency: number;
  durationSec: number | null;
}

export interface AbsoluteThresholds {
  /** The original tool's "average latency under 500 ms". */
  maxAvgLatencyMs: number;
  /** Throughput above this is "excellent". */
  excellentThroughputPerSec: number;
  /** Throughput above this is "good"; below it "needs improvement". */
  goodThroughputPerSec: number;
}

export interface ReceiverSettings {
  host: string;
  /** 0 = pick a free port. */
  port: number;
  path: string;
  /**
   * The URL the SUT must call, as seeded into endpoints.webhook_url. Default
   * http://127.0.0.1:<port><path>; in compose mode http://host.docker.internal:<port><path>.
   * `{port}` in it is replaced by the receiver's actual port.
   */
  publicUrl?: string;
  failureRate?: number;
  failureStatus?: number;
  delayMs?: number;
  /**
   * In each measured trial (not the warm-up), take no webhook for this long from `stallAtSec`
   * seconds after the first scheduled send; 0 = none.
   */
  stallMs?: number;
  stallAtSec?: number;
}

/** Everything one measured run needs, validated before it gets here. */
export interface RunOptions extends LoadShape {
  chainId: number;
  seed: number;
  mix: EventMix;
  /** Events published and drained before measuring; not part of the result. */
  warmupEvents: number;
  redisUrl: string;
  databaseUrl: string;
  /** Create EthHook's tables when missing (standalone use); otherwise a missing table is an error. */
  applySchema: boolean;
  receiver: ReceiverSettings;
  /** Each readiness probe (Redis, Postgres, consumer group, SUT health URLs) gets this long. */
  readyTimeoutMs: number;
  /** The drain ends when nothing arrived for this long. */
  drainTimeoutMs: number;
  sutHealthUrls: string[];
  thresholds: AbsoluteThresholds;
  progress: 'auto' | 'bar' | 'lines' | 'off';
  logger: Logger;
  signal?: AbortSignal;
  /** The SUT when the run starts it (compose, a command); absent when it is already running. */
  sut?: SutLifecycle;
  /**
   * Start the SUT after seeding instead of before: for a SUT that loads its endpoints only once
   * at start-up. Its tables must exist before it starts (its migrations, or applySchema).
   */
  seedBeforeStart?: boolean;
  /** Told how long each phase took: the readiness waits, seeding, warm-up, the measured trials. */
  onPhase?(phase: RunPhase, elapsedMs: number): void;
  /** The SUT's delivery queue, searched for jobs an interrupted run left (default delivery_queue). */
  deliveryQueue?: string;
  /** The steal check's source (default: /proc/stat, waits of up to 15 s; tests script it). */
  steal?: StealSource;
}

/**
 * The SUT as a run drives it; the service layer's instances (src/services) have this shape. The
 * run decides when in its order the SUT starts; the caller, which created it, stops it.
 */
export interface SutLifecycle {
  start(): Promise<void>;
  /** The mode's own readiness (compose: containers healthy); the run's probes follow. */
  waitReady(): Promise<void>;
  /** The failure once the SUT died on its own, else null: the run stops with the reason. */
  exitedError(): Error | null;
  /** Told once the run's probes found the SUT ready, before the warm-up: it is measured from now. */
  measuring?(): void;
}

/** The phases of a run that onPhase reports (starting the SUT is the caller's to time). */
export type RunPhase = 'ready' | 'seed' | 'warmup' | 'measure';
