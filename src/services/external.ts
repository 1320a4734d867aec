import { z } from 'zod';
import { healthProblem } from './liveness.js';
import type { SavedService, ServiceMode, SutService } from './service.js';

export interface ExternalSettings {
  mode: 'external';
}

const savedExternalSchema = z.object({
  mode: z.literal('external'),
  instance: z.string(),
  logsPath: z.string(),
});

export type SavedExternal = z.infer<typeof savedExternalSchema> & SavedService;

/** Already running (e.g. GitHub `services:` containers): nothing to start, stop or collect. */
const externalService = (log: { info(message: string): void }, instance: string): SutService => ({
  title: 'services already running',
  prepare: async () => undefined,
  start: async () => undefined,
  waitReady: async () => undefined,
  exitedError: () => null,
  collectLogs: async () => null,
  stop: async () => log.info('The services were already running before this run: nothing to stop.'),
  describeFailure: async () => '',
  // Nothing of its own to watch: it started before this run, so "when" is not known either.
  liveness: async (healthUrls = []) => {
    const problem = await healthProblem(healthUrls);
    return problem ? `${instance}: ${problem}` : null;
  },
});

export const externalMode: ServiceMode<ExternalSettings, SavedExternal> = {
  description: 'already running: the run only checks that they answer',
  startsTheSut: false,
  create: (_settings, context) => {
    context.save({ mode: 'external', instance: context.instance, logsPath: context.logsPath });
    return externalService(context.log, context.instance);
  },
  parseSaved: (saved) => savedExternalSchema.parse(saved),
  restore: (saved, context) => externalService(context.log, saved.instance),
};
