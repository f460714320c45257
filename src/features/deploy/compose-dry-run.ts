import fs from 'node:fs/promises';
import path from 'node:path';
import { preconditionFailed } from '../../domain/errors.js';
import type { Compose } from '../../integrations/compose/compose-cli.js';
import { dotenvValues } from '../../integrations/compose/compose-resolve.js';
import { cloneRepo } from '../../integrations/git/git-clone.js';
import type { GithubApp } from '../../integrations/github/github-app.js';
import { resolveProjectDir } from '../../integrations/repos/repo-paths.js';
import { createMasker } from '../../lib/log-masking.js';
import { createRunner } from '../../lib/process/runner.js';
import { type ComposePlan, planComposeProject } from './compose-plan.js';

/** What a dry run needs: Compose, a free port to show, the bind address, and where scratch clones go. */
export interface DryRunDeps {
  compose: () => Promise<Compose>;
  dataDir: string;
  /** The first free host port now (not reserved). */
  peekPort(): Promise<number>;
  settings: { get(): Promise<{ ports: { bindAddress: string } }>; secrets(): Promise<string[]> };
  github: { app: Pick<GithubApp, 'installationToken'> };
}

/** Placeholder of `warp.project` in a dry run: the id exists only once the project is created. */
export const DRY_RUN_PROJECT_ID = 'assigned-at-deploy';

/** A mask over the panel's secrets and the folder's `.env` values, for Compose's own messages. */
export async function composeMessageMask(
  settings: { secrets(): Promise<string[]> },
  dir: string,
): Promise<(text: string) => string> {
  const masker = createMasker([...(await settings.secrets()), ...(await dotenvValues(dir))]);
  return (text: string) => masker.mask(text);
}

/** The plan for a folder, with what a dry run cannot promise said in its warnings. */
export async function planFolder(
  deps: DryRunDeps,
  input: { dir: string; project: string; projectId?: string; warnings?: string[] },
): Promise<ComposePlan> {
  const hostPort = await deps.peekPort();
  const plan = await planComposeProject({
    compose: await deps.compose(),
    run: createRunner(),
    dir: input.dir,
    project: input.project,
    projectId: input.projectId ?? DRY_RUN_PROJECT_ID,
    hostPort,
    bindAddress: (await deps.settings.get()).ports.bindAddress,
    mask: await composeMessageMask(deps.settings, input.dir),
  });
  return {
    ...plan,
    warnings: [
      ...(input.warnings ?? []),
      ...plan.warnings,
      `host port ${hostPort} is free now; the deploy reserves the first free port then`,
      `the label warp.project holds the new project's id once it is created (${DRY_RUN_PROJECT_ID} here)`,
    ],
  };
}

/** Every string of a value with the `from` folder prefix replaced by `to`. */
function movePaths<T>(value: T, from: string[], to: string): T {
  const move = (s: string) => {
    for (const f of from) if (s === f || s.startsWith(`${f}/`)) return to + s.slice(f.length);
    return s;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return move(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * The plan of a GitHub repo: a shallow clone into a scratch folder under the data dir (removed
 * afterwards, whatever happens), resolved there; paths in the model are shown where the deploy will
 * clone it (`finalDir`). A repo that cannot be read is a 422 when `unreadable` says so.
 */
export async function planClone(
  deps: DryRunDeps,
  input: {
    repo: { cloneUrl: string; defaultBranch: string; fullName: string };
    finalDir: string;
    project: string;
    warnings: string[];
    /** The request field a refusal names (`repo`, `template`). */
    field: string;
    unreadable?: (reason: string) => Error;
  },
): Promise<ComposePlan> {
  const tmpRoot = path.join(deps.dataDir, 'tmp');
  await fs.mkdir(tmpRoot, { recursive: true, mode: 0o700 });
  const scratch = await fs.mkdtemp(path.join(tmpRoot, 'plan-'));
  try {
    const dest = path.join(scratch, 'repo');
    try {
      const { token } = await deps.github.app.installationToken();
      await cloneRepo({ token, url: input.repo.cloneUrl, dest, branch: input.repo.defaultBranch });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw (input.unreadable ?? ((r: string) => preconditionFailed(r)))(
        `cannot read ${input.repo.fullName} to preview it: ${reason}`,
      );
    }
    const real = (await resolveProjectDir(scratch, 'repo', input.field)).dir;
    const plan = await planFolder(deps, {
      dir: real,
      project: input.project,
      warnings: [
        ...input.warnings,
        `resolved from a temporary clone of ${input.repo.fullName} (${input.repo.defaultBranch}); the deploy clones it again into ${input.finalDir}`,
      ],
    });
    return movePaths(plan, [...new Set([real, dest])], input.finalDir);
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}
