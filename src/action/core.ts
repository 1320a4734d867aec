import * as core from '@actions/core';
import type { Logger } from '../engine/log.js';

export interface AnnotationProperties {
  title?: string;
  file?: string;
}

/**
 * The part of the runner the action talks to: inputs, outputs, state, log lines, annotations and
 * the job summary. @actions/core behind a small interface, so unit tests swap in a recorder.
 */
export interface ActionCore {
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  saveState(name: string, value: string): void;
  getState(name: string): string;
  setSecret(secret: string): void;
  info(message: string): void;
  warning(message: string, properties?: AnnotationProperties): void;
  error(message: string, properties?: AnnotationProperties): void;
  /** An error annotation and a failing exit code; the entry points' boundary is its only caller. */
  setFailed(message: string, properties?: AnnotationProperties): void;
  group<T>(title: string, work: () => Promise<T>): Promise<T>;
  /** Appends markdown to the job summary; throws when the runner gave no summary file. */
  appendSummary(markdown: string): Promise<void>;
}

export const actionsCore: ActionCore = {
  getInput: (name) => core.getInput(name),
  setOutput: (name, value) => core.setOutput(name, value),
  saveState: (name, value) => core.saveState(name, value),
  getState: (name) => core.getState(name),
  setSecret: (secret) => core.setSecret(secret),
  info: (message) => core.info(message),
  warning: (message, properties) => core.warning(message, properties),
  error: (message, properties) => core.error(message, properties),
  setFailed: (message, properties) => {
    // core.setFailed is exactly this, minus the annotation's title.
    process.exitCode = core.ExitCode.Failure;
    core.error(message, properties);
  },
  group: (title, work) => core.group(title, work),
  appendSummary: async (markdown) => {
    try {
      await core.summary.addRaw(markdown, true).write();
    } finally {
      // A failed write leaves the text in the buffer; it must not reappear in a later write.
      core.summary.emptyBuffer();
    }
  },
};

/** The engine's Logger on top of the runner: warnings become annotations, groups fold. */
export function coreLogger(actionCore: ActionCore): Logger {
  return {
    info: (message) => actionCore.info(message),
    warn: (message) => actionCore.warning(message),
    group: (title, work) => actionCore.group(title, work),
  };
}
