import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { sleepMs } from '../clock.js';

export interface StartedSut {
  pid: number;
  logFile: string;
  /** null while the process runs (or after we stopped it); the failure once it died on its own. */
  exitedError(): Error | null;
  stop(graceMs?: number): Promise<void>;
}

/** The last lines of a log, for error messages that show why a process died. */
export function tailOfFile(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts the SUT command in its own process group (detached) with its output in `logFile`, so the
 * whole tree can be stopped later, by this process or by another one knowing only the pid
 * (the action's post step).
 */
export function startSut(
  command: string,
  options: { logFile: string; cwd?: string; env?: NodeJS.ProcessEnv },
): StartedSut {
  const logFd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', command], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  if (child.pid === undefined) throw new Error(`could not start the SUT command: ${command}`);
  const pid = child.pid;
  let stopping = false;
  let exitError: Error | null = null;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      if (!stopping) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const tail = tailOfFile(options.logFile);
        exitError = new Error(
          `the SUT command (${command}) ${how}${tail ? `; last lines of its log:\n${tail}` : ''}`,
        );
      }
      resolve();
    });
  });
  child.unref();
  return {
    pid,
    logFile: options.logFile,
    exitedError: () => exitError,
    async stop(graceMs = 10_000) {
      stopping = true;
      if (exited) return;
      await stopProcessGroup(pid, graceMs);
      await Promise.race([exitedPromise, sleepMs(1_000)]);
    },
  };
}

/**
 * Whether any live (non-zombie) process is left in the group. Zombies are ignored: orphans are
 * reparented to init, and some container inits reap them late or never, yet they hold nothing.
 */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
  } catch {
    return false;
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true; // no procfs: trust kill(0)
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the parenthesised command: state ppid pgrp ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

/** SIGTERM to the group, then SIGKILL after `graceMs`; safe to call on a group that is gone. */
export async function stopProcessGroup(pid: number, graceMs = 10_000): Promise<void> {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pid)) return;
    await sleepMs(100);
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    return;
  }
  // SIGKILL is not instant, and orphans are reaped by init: give the group a moment to vanish.
  for (let i = 0; i < 50 && groupAlive(pid); i++) await sleepMs(20);
}
