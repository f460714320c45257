import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { notFound } from '../../domain/errors.js';
import { assertRegistryAllowed, canonicalRegistryHost } from '../../domain/registry-host.js';
import {
  type RegistryAuth,
  type RegistryCredentials,
  registryAuth,
  registryHostOf,
  writeDockerConfig,
} from '../../integrations/docker/registry-auth.js';
import {
  checkRegistryCredentials,
  type RegistryCheckResult,
} from '../../integrations/docker/registry-check.js';
import type { TaskLog } from '../../lib/task-context.js';
import type { Settings } from '../settings/index.js';

/** Prefix of the per-run Docker config dirs under the run dir. */
export const DOCKER_CONFIG_PREFIX = 'docker-config-';

/** What `POST /api/v1/registries/:host/check` may send: credentials to try before saving them. */
export interface RegistryCheckInput {
  username?: string | undefined;
  password?: string | undefined;
}

/**
 * Registry credentials at work: the `X-Registry-Auth` for a pull, a per-run Docker config for
 * Compose, the allowed-registries rule, and the credentials check.
 */
export function createRegistriesService(deps: {
  settings: { get(): Promise<Pick<Settings, 'registries' | 'allowedRegistries'>> };
  /** Where per-run Docker config dirs are made (inside the data dir: owner only). */
  runDir: string;
  /** The DOCKER_CONFIG the panel runs Compose with, if any: its CLI plugins stay visible. */
  baseDockerConfig: string | null;
}) {
  /** Saved credentials for a host (any alias of it), when a password is set. */
  async function credentialsFor(host: string): Promise<RegistryCredentials | null> {
    const want = canonicalRegistryHost(host);
    const saved = (await deps.settings.get()).registries.find((r) => r.host === want);
    return saved?.password ? { username: saved.username, password: saved.password } : null;
  }

  /** The CLI plugins dir Compose is found in when DOCKER_CONFIG is not overridden. */
  const pluginsDir = () =>
    path.join(deps.baseDockerConfig ?? path.join(os.homedir(), '.docker'), 'cli-plugins');

  return {
    credentialsFor,

    /** The AuthConfig for pulling `image`, or undefined for an anonymous pull. */
    async authFor(image: string): Promise<RegistryAuth | undefined> {
      const host = registryHostOf(image);
      const creds = await credentialsFor(host);
      return creds ? registryAuth(host, creds) : undefined;
    },

    /** The allowed-registries rule with the current settings (400 naming the image). */
    async assertAllowed(image: string): Promise<void> {
      assertRegistryAllowed(image, (await deps.settings.get()).allowedRegistries);
    },

    /**
     * Run `fn` with the env of a per-run Docker config (`DOCKER_CONFIG`) that holds every saved
     * registry login (0600 in a 0700 dir under the run dir, never `~/.docker`), removed afterwards
     * whatever happens. The CLI plugins of the usual config dir are linked in, so `docker compose`
     * is still found. Without saved credentials `fn` gets `{}` and nothing is written.
     */
    async withDockerConfig<T>(log: TaskLog, fn: (env: Record<string, string>) => Promise<T>): Promise<T> {
      const entries = (await deps.settings.get()).registries.flatMap((r) =>
        r.password ? [{ host: r.host, username: r.username, password: r.password }] : [],
      );
      if (entries.length === 0) return fn({});
      await fs.mkdir(deps.runDir, { recursive: true, mode: 0o700 });
      const dir = await fs.mkdtemp(path.join(deps.runDir, DOCKER_CONFIG_PREFIX));
      try {
        await fs.chmod(dir, 0o700);
        await writeDockerConfig(dir, entries);
        const plugins = pluginsDir();
        if (
          await fs.stat(plugins).then(
            (s) => s.isDirectory(),
            () => false,
          )
        )
          await fs.symlink(plugins, path.join(dir, 'cli-plugins'));
        log.info(
          `registry credentials for ${entries.map((e) => e.host).join(', ')} passed in a per-run Docker config`,
        );
        return await fn({ DOCKER_CONFIG: dir });
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },

    /** Remove per-run config dirs a crash left behind (they hold credentials); call at start-up. */
    async sweepStale(): Promise<void> {
      const names = await fs.readdir(deps.runDir).catch(() => [] as string[]);
      for (const name of names.filter((n) => n.startsWith(DOCKER_CONFIG_PREFIX)))
        await fs.rm(path.join(deps.runDir, name), { recursive: true, force: true });
    },

    /**
     * Do the credentials work for `host`? Those sent (a missing password falls back to the saved
     * one), else the saved ones; none at all → 404.
     */
    async check(host: string, input: RegistryCheckInput = {}): Promise<RegistryCheckResult> {
      const name = canonicalRegistryHost(host);
      const saved = (await deps.settings.get()).registries.find((r) => r.host === name);
      const username = input.username ?? saved?.username;
      const password = input.password ?? saved?.password ?? undefined;
      if (!username || !password)
        throw notFound(
          `credentials for registry ${name} (save them in settings or send username and password)`,
        );
      return checkRegistryCredentials(name, { username, password });
    },
  };
}

/** The registries service. */
export type RegistriesService = ReturnType<typeof createRegistriesService>;
