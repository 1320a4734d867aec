import { State } from './constants.js';

/** Where main leaves notes for post (the runner's GITHUB_STATE; a map in tests). */
export interface StateStore {
  saveState(name: string, value: string): void;
  getState(name: string): string;
}

export interface ComposeState {
  /** The compose executable and its leading arguments: `["docker","compose"]` or `["docker-compose"]`. */
  command: string[];
  project: string;
  /** The user's files, then the generated override. */
  files: string[];
  overrideFile: string;
  cwd: string;
}

export interface CommandState {
  /** null until the SUT has been spawned. */
  pid: number | null;
}

/** What post has to tear down; `none` when main never got as far as starting anything. */
export type ServicesState =
  | { kind: 'none' }
  | { kind: 'external'; logsPath: string }
  | { kind: 'compose'; logsPath: string; compose: ComposeState }
  | { kind: 'command'; logsPath: string; command: CommandState };

export function saveExternalState(store: StateStore, logsPath: string): void {
  store.saveState(State.LogsPath, logsPath);
  store.saveState(State.ServicesKind, 'external');
}

/** Saved before the override file is written and before `up`: post can always run `down`. */
export function saveComposeState(store: StateStore, logsPath: string, compose: ComposeState): void {
  store.saveState(State.LogsPath, logsPath);
  store.saveState(State.ComposeCommand, JSON.stringify(compose.command));
  store.saveState(State.ComposeProject, compose.project);
  store.saveState(State.ComposeFiles, JSON.stringify(compose.files));
  store.saveState(State.ComposeOverrideFile, compose.overrideFile);
  store.saveState(State.ComposeCwd, compose.cwd);
  // Last: post treats the kind as the sign that the rest is complete.
  store.saveState(State.ServicesKind, 'compose');
}

/** Saved before the spawn, so post finds the log even when the spawn itself failed. */
export function saveCommandState(store: StateStore, logsPath: string): void {
  store.saveState(State.LogsPath, logsPath);
  store.saveState(State.ServicesKind, 'command');
}

export function saveSutPid(store: StateStore, pid: number): void {
  store.saveState(State.SutPid, String(pid));
}

function stringArray(raw: string, key: string): string[] {
  const value: unknown = JSON.parse(raw);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error(`saved state ${key} is not a list of strings: ${raw}`);
  }
  return value;
}

export function readServicesState(store: StateStore): ServicesState {
  const kind = store.getState(State.ServicesKind);
  const logsPath = store.getState(State.LogsPath);
  switch (kind) {
    case 'external':
      return { kind, logsPath };
    case 'compose':
      return {
        kind,
        logsPath,
        compose: {
          command: stringArray(store.getState(State.ComposeCommand), State.ComposeCommand),
          project: store.getState(State.ComposeProject),
          files: stringArray(store.getState(State.ComposeFiles), State.ComposeFiles),
          overrideFile: store.getState(State.ComposeOverrideFile),
          cwd: store.getState(State.ComposeCwd),
        },
      };
    case 'command': {
      const pid = Number.parseInt(store.getState(State.SutPid), 10);
      return {
        kind,
        logsPath,
        command: { pid: Number.isInteger(pid) && pid > 0 ? pid : null },
      };
    }
    default:
      return { kind: 'none' };
  }
}
