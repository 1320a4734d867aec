import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { sleepMs } from '../engine/clock.js';

export interface StartedSut {
  pid: number;
  logFile: string;
  /** null while the process runs (or after we stopped it); the failure once it died on its own. */
  exitedError(): Error | null;
  /** Ends the whole process group, also when the started shell itself is gone; says what it did. */
  stop(graceMs?: number): Promise<string>;
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
      // Not "if exited, return": the shell may be gone while what it started (`server &`) lives
      // on in its group and holds the SUT's ports.
      const done = await stopProcessGroup(pid, graceMs);
      if (!exited) await Promise.race([exitedPromise, sleepMs(1_000)]);
      return done;
    },
  };
}

/**
 * The live (non-zombie) processes of the group. Zombies are ignored: orphans are reparented to
 * init, and some container inits reap them late or never, yet they hold nothing.
 */
export function groupMembers(pid: number): number[] {
  try {
    process.kill(-pid, 0);
  } catch {
    return [];
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [pid]; // no procfs: trust kill(0)
  }
  const members: number[] = [];
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
    if (Number(pgrp) === pid && state !== 'Z' && state !== 'X') members.push(Number(entry));
  }
  return members;
}

export function groupAlive(pid: number): boolean {
  return groupMembers(pid).length > 0;
}

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 'es'}`;

/**
 * SIGTERM to the group, then SIGKILL after `graceMs`; safe to call on a group that is gone.
 * Returns what it did, for the log: "process group 12: 3 processes ended by SIGTERM in 0.2 s".
 */
export async function stopProcessGroup(pid: number, graceMs = 10_000): Promise<string> {
  const members = groupMembers(pid).length;
  if (members === 0) return `process group ${pid}: no process left, nothing to stop`;
  const started = Date.now();
  const took = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return `process group ${pid}: gone before SIGTERM`;
  }
  const deadline = started + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pid))
      return `process group ${pid}: ${plural(members, 'process')} ended by SIGTERM in ${took()}`;
    await sleepMs(100);
  }
  const stubborn = groupMembers(pid).length;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    return `process group ${pid}: ${plural(members, 'process')} ended by SIGTERM in ${took()}`;
  }
  // SIGKILL is not instant, and orphans are reaped by init: give the group a moment to vanish.
  for (let i = 0; i < 50 && groupAlive(pid); i++) await sleepMs(20);
  const left = groupMembers(pid).length;
  return `process group ${pid}: ${plural(members, 'process')}; ${plural(stubborn, 'process')} still running ${Math.round(graceMs / 1000)} s after SIGTERM got SIGKILL${left > 0 ? `; ${plural(left, 'process')} STILL running` : ''}`;
}
