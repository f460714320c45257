import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CHILD_PATH } from '../../src/lib/process/run-process.js';

/** Whether Compose v1 (`docker-compose`) runs on this machine. */
export const hasComposeV1 = (): boolean => spawnSync('docker-compose', ['version', '--short']).status === 0;

/**
 * Whether a real Compose v2 plugin answers `docker compose`, as the app's children see it (the app's
 * child PATH, no DOCKER_CONFIG): its short version is 2.x, not the forwarder's 1.29.
 */
export function hasRealComposeV2(): boolean {
  const r = spawnSync('docker', ['compose', 'version', '--short'], {
    env: { PATH: DEFAULT_CHILD_PATH },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return r.status === 0 && /^v?2\./.test(r.stdout.trim());
}

/** A DOCKER_CONFIG whose `docker compose` CLI plugin forwards to v1, so the v2 code path runs on v1. */
export function composeV2Forwarder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-docker-config-'));
  fs.mkdirSync(path.join(dir, 'cli-plugins'));
  const plugin = path.join(dir, 'cli-plugins', 'docker-compose');
  fs.writeFileSync(
    plugin,
    [
      '#!/bin/sh',
      'if [ "$1" = docker-cli-plugin-metadata ]; then echo \'{"SchemaVersion":"0.1.0","Vendor":"test","Version":"1.29.2","ShortDescription":"compose v1 forwarder"}\'; exit 0; fi',
      'shift; exec docker-compose "$@"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return dir;
}

/**
 * The DOCKER_CONFIG for a test app that runs `docker compose`: none (the real v2 plugin) when one is
 * installed, else the v1 forwarder. `WARP_COMPOSE=docker-compose` in the test environment (CI's Compose v1
 * compatibility pass) always takes the forwarder.
 */
export function composeV2DockerConfig(): string | null {
  if (process.env.WARP_COMPOSE === 'docker-compose' || !hasRealComposeV2()) return composeV2Forwarder();
  return null;
}
