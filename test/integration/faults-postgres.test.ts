/**
 * Fault injection: PostgreSQL restarted (`pg_ctl restart -m fast`, every connection cut) while the
 * panel — a separate process — serves reads and writes from 8 concurrent clients. The panel must stay
 * up, answer every request during the outage with an HTTP response (an error body, never a reset
 * connection), and serve every request after the database is back. A private cluster is used so the
 * shared server the other suites run on is not disturbed. Needs root; skipped elsewhere unless
 * WARP_REQUIRE_POSTGRES=1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_REQUIRED } from '../support/databases.js';
import { type PanelProcess, startPanel } from '../support/panel-process.js';
import {
  type PrivatePostgres,
  privatePostgresAvailable,
  startPrivatePostgres,
} from '../support/private-postgres.js';

const available = privatePostgresAvailable();
if (!available && POSTGRES_REQUIRED)
  throw new Error('a private PostgreSQL cluster cannot be started (root + postgres bins)');

interface Sample {
  at: number;
  status: number;
  code: string | null;
}

describe.skipIf(!available)('PostgreSQL restarted under load', () => {
  let pg: PrivatePostgres;
  let panel: PanelProcess;
  let dataDir: string;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-pgfault-'));
    panel = await startPanel({
      WARP_DATA_DIR: dataDir,
      WARP_DATABASE_URL: pg.url,
      WARP_SECRET_KEY: 'c'.repeat(64),
      WARP_LOG_LEVEL: 'warn',
    });
  });
  afterAll(async () => {
    await panel?.stop();
    pg?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps answering, and serves every request once the database is back', async () => {
    const samples: Sample[] = [];
    const resets: string[] = [];
    let running = true;
    const requests: [string, string, unknown?][] = [
      ['GET', '/api/v1/projects'],
      ['GET', '/api/v1/jobs'],
      ['PATCH', '/api/v1/onboarding', { steps: { load: true } }],
      ['GET', '/api/v1/audit'],
    ];
    async function client(n: number) {
      for (let i = n; running; i++) {
        const [method, url, body] = requests[i % requests.length]!;
        try {
          const res = await fetch(`${panel.base}${url}`, {
            method,
            headers: { ...panel.headers, ...(body ? { 'content-type': 'application/json' } : {}) },
            ...(body ? { body: JSON.stringify(body) } : {}),
          });
          const json = (await res.json()) as { error?: { code: string } };
          samples.push({ at: Date.now(), status: res.status, code: json.error?.code ?? null });
        } catch (error) {
          resets.push(String(error));
        }
      }
    }
    const clients = Array.from({ length: 8 }, (_, n) => client(n));
    await new Promise((r) => setTimeout(r, 1000));
    const restartAt = Date.now();
    await pg.restart();
    const backAt = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    running = false;
    await Promise.all(clients);

    const log = () =>
      `${panel.stderr().slice(-3000)}\n${fs.readFileSync(path.join(dataDir, 'panel.log'), 'utf8').slice(-3000)}`;
    expect(resets.length, `${resets[0]}\n${log()}`).toBe(0);
    expect(panel.child.exitCode).toBeNull();
    const before = samples.filter((s) => s.at < restartAt);
    const after = samples.filter((s) => s.at > backAt + 1000);
    expect(before.length).toBeGreaterThan(20);
    expect(before.every((s) => s.status === 200)).toBe(true);
    // During the cut: 503 UNAVAILABLE, never a 500 or a wrong 401.
    for (const s of samples.filter((x) => x.status !== 200)) {
      expect({ status: s.status, code: s.code }, JSON.stringify(s)).toEqual({
        status: 503,
        code: 'UNAVAILABLE',
      });
    }
    // A second after the database is back, every request succeeds again.
    expect(after.length).toBeGreaterThan(20);
    expect(after.filter((s) => s.status !== 200)).toEqual([]);
    const failed = samples.filter((s) => s.status !== 200);
    const outage = failed.length > 0 ? Math.max(...failed.map((s) => s.at)) - restartAt : 0;
    process.stdout.write(
      `faults-postgres: ${samples.length} requests, ${failed.length} failed (${[...new Set(failed.map((f) => `${f.status} ${f.code}`))].join(', ')}), restart took ${backAt - restartAt} ms, last failure ${outage} ms after the restart began\n`,
    );
  });
});
