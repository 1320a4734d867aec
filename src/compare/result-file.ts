import { z } from 'zod';
import { RUN_RESULT_KIND, RUN_RESULT_VERSION, runResultSchema } from '../engine/measure/result.js';
import { InputFileError } from './errors.js';
import { parseDocument, readJsonFile, writeJsonFile } from './json-file.js';
import { aggregateTrials, trialAggregateSchema, type TrialAggregate } from './trials.js';

/** A file holding the aggregate of N trials (written by `run --trials N`). */
export const TRIAL_SET_KIND = 'ethhook-load-test/trial-set';
export const TRIAL_SET_VERSION = 1;

export const trialSetFileSchema = trialAggregateSchema.extend({
  kind: z.literal(TRIAL_SET_KIND),
  version: z.literal(TRIAL_SET_VERSION),
});
export type TrialSetFile = z.infer<typeof trialSetFileSchema>;

export function toTrialSetFile(aggregate: TrialAggregate): TrialSetFile {
  return { kind: TRIAL_SET_KIND, version: TRIAL_SET_VERSION, ...aggregate };
}

export async function writeTrialSet(path: string, aggregate: TrialAggregate): Promise<void> {
  await writeJsonFile(path, toTrialSetFile(aggregate));
}

const WHAT = 'result file';
const HINT = 'Produce it with `ethhook-load-test run` (add --trials N for a trial set)';

/**
 * Turns the parsed content of a result file into an aggregate: a single run result becomes an
 * aggregate of one trial, a trial set is taken as it is.
 */
export function parseResultDocument(document: unknown, path: string): TrialAggregate {
  const kind = (document as { kind?: unknown } | null)?.kind;
  if (kind === RUN_RESULT_KIND) {
    const result = parseDocument(
      document,
      path,
      {
        kinds: [RUN_RESULT_KIND],
        versions: [RUN_RESULT_VERSION],
        whatItIs: 'run result',
        hint: HINT,
      },
      runResultSchema,
    );
    return aggregateTrials([result]);
  }
  const {
    kind: _kind,
    version: _version,
    ...aggregate
  } = parseDocument(
    document,
    path,
    {
      kinds: [TRIAL_SET_KIND, RUN_RESULT_KIND],
      versions: [TRIAL_SET_VERSION],
      whatItIs: WHAT,
      hint: HINT,
    },
    trialSetFileSchema,
  );
  return aggregate;
}

/** Reads a run result or a trial set, whichever the file holds, as an aggregate. */
export async function readResultFile(path: string): Promise<TrialAggregate> {
  const document = await readJsonFile(path, WHAT, `${HINT}.`);
  try {
    return parseResultDocument(document, path);
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw new InputFileError(
      path,
      'invalid',
      `${path} cannot be aggregated: ${(error as Error).message}`,
    );
  }
}
