import { commandMode } from './command.js';
import { composeMode } from './compose.js';
import { externalMode } from './external.js';
import type {
  RestoreContext,
  SavedService,
  ServiceContext,
  ServiceMode,
  SutService,
} from './service.js';

/**
 * Every way of running the SUT, by name. Adding one: its own file with its settings and a
 * ServiceMode, and one line here; the settings union, the saved-state parser and the teardown
 * follow from this table, and the compiler checks each mode's settings against its create().
 */
export const SERVICE_MODES = {
  compose: composeMode,
  command: commandMode,
  external: externalMode,
} as const;

export type ServiceModeName = keyof typeof SERVICE_MODES;

type SettingsOf<M> = M extends ServiceMode<infer Settings, SavedService> ? Settings : never;

/** The settings of any mode, discriminated by `mode`. */
export type ServiceSettings = {
  [K in ServiceModeName]: SettingsOf<(typeof SERVICE_MODES)[K]>;
}[ServiceModeName];

export const SERVICE_MODE_NAMES = Object.keys(SERVICE_MODES) as ServiceModeName[];

function modeOf(name: string): ServiceMode<unknown, SavedService> | undefined {
  return Object.hasOwn(SERVICE_MODES, name)
    ? (SERVICE_MODES[name as ServiceModeName] as ServiceMode<unknown, SavedService>)
    : undefined;
}

/** An instance of the mode the settings name. */
export function createService(settings: ServiceSettings, context: ServiceContext): SutService {
  return (modeOf(settings.mode) as ServiceMode<ServiceSettings, SavedService>).create(
    settings,
    context,
  );
}

/** Whether the run starts this SUT, so can start it afresh (ServiceMode.startsTheSut). */
export function startsTheSut(settings: ServiceSettings): boolean {
  return (modeOf(settings.mode) as ServiceMode<ServiceSettings, SavedService>).startsTheSut;
}

/**
 * The instance a saved state describes, able to collect logs and stop; throws with the reason
 * when the state is not one this version wrote.
 */
export function restoreService(saved: unknown, context: RestoreContext): SutService {
  const name = (saved as { mode?: unknown } | null)?.mode;
  const mode = typeof name === 'string' ? modeOf(name) : undefined;
  if (!mode) {
    throw new Error(
      `saved services state names mode ${JSON.stringify(name)}; known modes: ${SERVICE_MODE_NAMES.join(', ')}`,
    );
  }
  return mode.restore(mode.parseSaved(saved), context);
}
