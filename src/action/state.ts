import type { SavedService } from '../services/service.js';
import { State } from './constants.js';

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
