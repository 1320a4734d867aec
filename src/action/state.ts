import type { SavedService } from '../services/service.js';

/**
 * Saved by main, read by post. Written before each side effect it lets post undo (the compose
 * project before `up`, the SUT's log before the spawn, its pid right after), so a main step that
 * dies anywhere still leaves post enough to clean up.
 */
export const State = {
  /**
   * JSON list of every service instance main started (src/services' saved form): the mode and
   * what its teardown needs, such as the compose project and files or the SUT's process group.
   */
  Services: 'services',
  /** JSON {repoDir, dir} of the base commit's worktree (paired A/B), saved once it is added. */
  BaseWorktree: 'base-worktree',
} as const;

export type StateKey = (typeof State)[keyof typeof State];

/** Where main leaves notes for post (the runner's GITHUB_STATE; a map in tests). */
export interface StateStore {
  saveState(name: string, value: string): void;
  getState(name: string): string;
}

/**
 * The service layer's `save`: every instance of the run under one key, the whole list each time
 * (the runner keeps the last value). Instances save before each side effect they let post undo.
 */
export function serviceStateSaver(store: StateStore): (saved: SavedService) => void {
  const byInstance = new Map<string, SavedService>();
  return (saved) => {
    byInstance.set(saved.instance, saved);
    store.saveState(State.Services, JSON.stringify([...byInstance.values()]));
  };
}

/** What main saved, for the service layer to check and restore; [] when main started nothing. */
export function readSavedServices(store: StateStore): unknown[] {
  const raw = store.getState(State.Services);
  if (!raw) return [];
  const value: unknown = JSON.parse(raw);
  if (!Array.isArray(value)) throw new Error(`saved state ${State.Services} is not a list: ${raw}`);
  return value;
}
