/**
 * The rules for a run's size, in one place: the settings layer (action inputs and CLI flags), the
 * scenarios and the publisher's own API all check a shape here, each naming the fields its own way.
 */

import { plannedEvents } from './scheduler.js';

/** The fields a shape is made of. */
export interface ShapeFields {
  /** null when bounded by duration. */
  events: number | null;
  durationSec: number | null;
  /** events/s; 0 = as fast as possible. */
  ratePerSec: number;
  concurrency: number;
}

/** How the caller's user calls each field (`--events`, `input events`, `events`). */
export interface ShapeNames {
  events: string;
  rate: string;
  concurrency: string;
  duration: string;
}

/** Largest connection count; the shard field of the tx_hash identity is 16 bits anyway. */
export const MAX_CONCURRENCY = 1_024;

/**
 * Most events one run may publish. The receiver keeps every delivery in a Set (about 34 bytes an
 * entry, measured), and the expected deliveries are computed per event: 10 million is ~340 MB and
 * 100 times the stress scenario. Beyond it a typo (`-n 1e30`) would run for ever.
 */
export const MAX_EVENTS = 10_000_000;

/** Longest publishing time: 6 h, the most a GitHub-hosted job may run. */
export const MAX_DURATION_SEC = 21_600;

const fmt = (n: number): string => n.toLocaleString('en-US');

/**
 * The cross-field rules; each field's own range is checked where it is parsed. Returns what is
 * wrong, naming the fields as the caller's user wrote them, or null.
 * `openEnded`: a duration at rate 0 means "as fast as possible until then" (the stand-alone
 * publisher); a measured run refuses it, since its size, and so its expected deliveries, would be
 * unknown until the end. `idlePublishers`: more publishers than events is a mistake when a user
 * asks for it, but not when the engine publishes a short warm-up with the run's publishers.
 */
export function shapeProblem(
  shape: ShapeFields,
  names: ShapeNames,
  { openEnded = false, idlePublishers = false } = {},
): string | null {
  const { events, durationSec, ratePerSec, concurrency } = shape;
  if (events !== null && durationSec !== null) {
    return `${names.events} ${events} and ${names.duration} ${durationSec} both given: a run is bounded by a count or by a length of time, give one.`;
  }
  if (events === null && durationSec === null) {
    return `give ${names.events} or ${names.duration}: the run needs a bound.`;
  }
  if (ratePerSec === 0 && events === null && !openEnded) {
    return `${names.rate} 0 (as fast as possible) needs ${names.events}: a duration-bound run at an unbounded rate has no defined size.`;
  }
  if (concurrency > MAX_CONCURRENCY) {
    return `${names.concurrency} ${concurrency} is above the limit of ${fmt(MAX_CONCURRENCY)} publishers (one Redis connection each).`;
  }
  const planned = plannedEvents(events, durationSec, ratePerSec);
  const given =
    events !== null
      ? `${names.events} ${events}`
      : `${names.rate} ${ratePerSec} x ${names.duration} ${durationSec}`;
  if (Number.isFinite(planned) && planned > MAX_EVENTS) {
    return `the run asks for ${fmt(planned)} events (${given}), above the limit of ${fmt(MAX_EVENTS)} a run may publish.`;
  }
  const source = events !== null ? given : `${given} = ${planned} events`;
  if (concurrency > planned && !idlePublishers) {
    return `${names.concurrency} ${concurrency} is above the events of the run (${source}); use at most ${planned} publishers.`;
  }
  return null;
}
