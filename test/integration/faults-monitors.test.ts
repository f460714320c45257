/**
 * Fault injection for the background loops: the panel (its own process, monitors on, sampling every
 * second) with an engine that does not answer and a PostgreSQL that is restarted under it. The loops
 * must not take the process down, and sampling must carry on once the database is back. Private
 * cluster (root); skipped elsewhere unless WARP_REQUIRE_POSTGRES=1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_REQUIRED } from '../support/databases.js';
import { waitFor } from '../support/job-helpers.js';
import { call, type PanelProcess, startPanel } from '../support/panel-process.js';
import {
  type PrivatePostgres,
  privatePostgresAvailable,
  startPrivatePostgres,
} from '../support/private-postgres.js';

const available = privatePostgresAvailable();
if (!available && POSTGRES_REQUIRED)
  throw new Error('a private PostgreSQL cluster cannot be started (root + postgres bins)');

describe.skipIf(!available)('monitors with the engine unreachable and PostgreSQL down for a while', () => {
  let pg: PrivatePostgres;
  let panel: PanelProcess;
  let dataDir: string;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-monfault-'));
    panel = await startPanel({
      WARP_DATA_DIR: dataDir,
      WARP_DATABASE_URL: pg.url,
      WARP_SECRET_KEY: 'd'.repeat(64),
      WARP_LOG_LEVEL: 'info',
      WARP_METRICS_INTERVAL: '1',
      WARP_CHILD_MONITORS: '1',
      DOCKER_HOST: `unix://${path.join(dataDir, 'no-engine.sock')}`,
    });
  });
  afterAll(async () => {
    await panel?.stop();
    pg?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const hostPoints = async (since: number) => {
    const res = await call(panel, 'GET', `/api/v1/metrics?scope=host&from=${since}&step=1&series=memory`);
    return res.status === 200 ? ((res.json.series[0]?.points ?? []) as [number, number][]) : [];
  };

  it('keeps the process up through a 3 s database outage and samples again after it', async () => {
    const started = Date.now() - 1000;
    // The host is sampled although the engine does not answer (containers are skipped).
    await waitFor('host samples', async () => ((await hostPoints(started)).length >= 2 ? true : undefined));
    // Down for 3 s: several sampler ticks and delivery passes hit it.
    await pg.outage(3000);
    const back = Date.now();
    await waitFor(
      'samples after the restart',
      async () => ((await hostPoints(back)).length >= 2 ? true : undefined),
      30_000,
    );
    expect(panel.child.exitCode).toBeNull();
    expect(panel.child.signalCode).toBeNull();
    const log = fs.readFileSync(path.join(dataDir, 'panel.log'), 'utf8');
    // The engine watch kept retrying; nothing escaped as an unhandled error.
    expect(log).toMatch(/engine event stream not open; retrying/);
    expect(log).not.toMatch(/uncaught|unhandled/i);
    // The outage was seen (and survived) by the loops that write.
    expect(log).toMatch(/metrics sample not stored/);
    expect(log).toMatch(/notification delivery tick failed/);
  });
});
