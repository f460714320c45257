import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Runner } from '../../lib/task-context.js';
import { composeMessages, resolveModel } from './compose-resolve.js';

/** v1's `config` as PyYAML prints it (YAML 1.1: `'022'` quoted, `1e3` plain is a string there). */
const V1_OUTPUT = `services:
  db:
    image: pg
    profiles:
    - tools
  web:
    environment:
      F: '1.5'
      S: 1e3
      U: '022'
      "Y": "y"
      Z: yes
    image: busybox
    ports:
    - published: 8080
      target: 80
version: '3.9'
`;

const runnerPrinting =
  (stdout: string, stderr = '', code = 0): Runner =>
  async () => ({ code, stdout, stderr });

describe('resolveModel', () => {
  it('reads v1 YAML with YAML 1.1 rules and keeps only services of active profiles', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-v1-'));
    const deps = { command: ['docker-compose'], major: 1 as const, env: {}, run: runnerPrinting(V1_OUTPUT) };
    const { model } = await resolveModel(deps, { project: 'p', cwd }, {});
    const services = model.services as Record<string, { environment?: Record<string, unknown> }>;
    expect(Object.keys(services)).toEqual(['web']);
    // As docker-compose 1.29 printed `{Y: "y", S: "1e3", F: "1.5", U: "022"}` here (Z: a real boolean).
    expect(services.web!.environment).toEqual({ F: '1.5', S: '1e3', U: '022', Y: 'y', Z: true });
    fs.writeFileSync(path.join(cwd, '.env'), 'COMPOSE_PROFILES="tools"\n');
    const active = await resolveModel(deps, { project: 'p', cwd }, {});
    expect(Object.keys(active.model.services as object)).toEqual(['db', 'web']);
    fs.rmSync(cwd, { recursive: true });
  });

  it('turns a non-zero exit into a 400 quoting Compose, masked', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-v2-'));
    const run = runnerPrinting(
      '',
      'time="2026-01-01T00:00:00Z" level=fatal msg="Invalid hostPort: s3cr3t-value"\n',
      15,
    );
    const deps = { command: ['docker', 'compose'], major: 2 as const, env: {}, run };
    const error = await resolveModel(
      deps,
      { project: 'p', cwd },
      { mask: (t) => t.replaceAll('s3cr3t-value', '***') },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((error as Error).message).toContain('Compose rejects the project in');
    expect((error as Error).message).toContain('Invalid hostPort: ***');
    fs.rmSync(cwd, { recursive: true });
  });

  it('reads logrus and v1 warning lines as sentences', () => {
    expect(
      composeMessages(
        'time="x" level=warning msg="The \\"A\\" variable is not set."\nWARNING: old style\n\n',
      ),
    ).toEqual(['The "A" variable is not set.', 'old style']);
  });
});
