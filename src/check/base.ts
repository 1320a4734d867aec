import path from 'node:path';
import {
  addBaseWorktree,
  BaseCommitError,
  missingBaseReason,
  removeBaseWorktree,
  resolveBaseCommit,
  systemGit,
  type BaseCommitRequest,
  type Git,
} from '../git/base-commit.js';
import type { ServiceSettings } from '../services/registry.js';
import type { BaseSource, OpenedBase } from './check.js';
import { baseComposeFile, baseWorkingDirectory } from './trees.js';

/**
 * Where the base side comes from. In a pull request (the action): the base commit, checked out as
 * a git worktree for the check's duration. On the command line: a tree or a command the user
 * names. Either way the pipeline opens it only when it measures the base.
 */

export interface GitBaseRequest extends BaseCommitRequest {
  /** The head's services and working directory, mirrored into the base's tree. */
  services: ServiceSettings;
  workingDirectory: string;
  prepareCommand: string | null;
  tempDir: string;
  /** Remembers the worktree so a later process can remove it (the action's post step). */
  remember(worktree: { repoDir: string; dir: string }): void;
  /** The head's services must be started by the check for a base to be measured. */
  startsServices: boolean;
  /** Why the services are not started, as the user would fix it. */
  notStartedWhy: string;
}

async function gitTopLevel(dir: string, git: Git): Promise<string> {
  const result = await git.run(['rev-parse', '--show-toplevel'], dir);
  if (result.exitCode !== 0) throw new BaseCommitError(`${dir} is not a git checkout`);
  return result.stdout.trim();
}

export async function gitBase(request: GitBaseRequest, git: Git = systemGit): Promise<BaseSource> {
  if (!request.startsServices) return { available: false, why: request.notStartedWhy };
  const missing = await missingBaseReason(request, git);
  if (missing !== null) return { available: false, why: missing };
  return {
    available: true,
    open: async (): Promise<OpenedBase> => {
      const repoDir = await gitTopLevel(request.workingDirectory, git);
      const base = await resolveBaseCommit({ ...request, repoDir }, git);
      const worktree = await addBaseWorktree(repoDir, base.sha, request.tempDir, git);
      request.remember({ repoDir, dir: worktree.dir });
      const services: ServiceSettings =
        request.services.mode === 'compose'
          ? {
              ...request.services,
              files: request.services.files.map((file) =>
                baseComposeFile(file, repoDir, worktree.dir),
              ),
            }
          : request.services;
      return {
        spec: {
          services,
          cwd: baseWorkingDirectory(repoDir, request.workingDirectory, worktree.dir),
          prepareCommand: request.prepareCommand,
        },
        describe: `base commit ${base.sha.slice(0, 7)} (${base.why})`,
        close: () => removeBaseWorktree(repoDir, worktree.dir, git),
      };
    },
  };
}

/** A base the user names: its own services, or the head's run from another tree. */
export function givenBase(
  spec: OpenedBase['spec'],
  describe: string,
): Extract<BaseSource, { available: true }> {
  return {
    available: true,
    open: async () => ({ spec, describe, close: async () => null }),
  };
}

/** The head's compose files as the base tree's copies (relative paths resolve from its cwd). */
export function mirroredServices(
  services: ServiceSettings,
  headDir: string,
  baseDir: string,
): ServiceSettings {
  if (services.mode !== 'compose') return services;
  return {
    ...services,
    files: services.files.map((file) =>
      baseComposeFile(path.resolve(headDir, file), headDir, baseDir),
    ),
  };
}
