import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/features/jobs/job-types.js';
import { createPostgresDatabase, testEngines } from '../support/databases.js';
import { waitForStatus } from '../support/job-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const engines = await testEngines();
const SECRET_KEY = 'a'.repeat(64);
const root = path.resolve(import.meta.dirname, '../..');

/** Run the crash child until it reports READY; resolves with the two job ids. */
function startChild(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; blocking: string; queued: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'test/support/job-crash-child.ts')],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: os.homedir(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+) (\S+)/.exec(out);
      if (m) resolve({ child, blocking: m[1]!, queued: m[2]! });
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`crash child exited early (${code}): ${err.slice(-2000)}`)));
  });
}

describe.each(engines)('crash recovery on %s', (engine) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  it('marks a job left running by a killed process interrupted and runs the queued one', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-crash-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    let databaseUrl = `sqlite:${path.join(dataDir, 'warp.db')}`;
    if (engine === 'postgres') {
      const pg = await createPostgresDatabase();
      cleanups.push(pg.drop);
      databaseUrl = pg.url;
    }
    const env = { WARP_DATA_DIR: dataDir, WARP_DATABASE_URL: databaseUrl, WARP_SECRET_KEY: SECRET_KEY };

    const { child, blocking, queued } = await startChild({ ...env, WARP_LOG_LEVEL: 'silent' });
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;

    const t: TestApp = await createTestApp({ engine: 'sqlite', env });
    cleanups.push(() => t.close());
    const ran: number[] = [];
    t.app.jobs.register(
      defineJob({
        type: 'test.after-crash',
        input: z.object({ n: z.number() }).strict(),
        async handler(ctx) {
          ran.push(ctx.input.n);
          return { n: ctx.input.n };
        },
      }),
    );
    // Before the runner starts the rows are as the crash left them.
    expect((await t.app.jobs.get(blocking)).status).toBe('running');
    expect((await t.app.jobs.get(queued)).status).toBe('queued');
    await t.app.runner.start();

    const interrupted = await t.app.jobs.get(blocking);
    expect(interrupted).toMatchObject({ status: 'interrupted', error: { code: 'UNAVAILABLE' } });
    expect(interrupted.finishedAt).toEqual(expect.any(String));
    const { lines, done } = await t.app.jobs.logs(blocking, 0, 100);
    expect(done).toBe(true);
    expect(lines.map((l) => l.text)).toContain('blocking until killed');
    expect(lines.at(-1)?.text).toMatch(/^Job interrupted: the panel stopped \(crash or restart\)/);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));

    expect(await waitForStatus(t.app, queued, 'succeeded')).toMatchObject({ result: { n: 1 } });
    expect(ran).toEqual([1]);
  });
});
