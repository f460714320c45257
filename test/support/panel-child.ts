/**
 * The panel as a separate process, for fault injection and load: builds the app from the environment
 * (WARP_DATA_DIR, WARP_DATABASE_URL, …), listens on 127.0.0.1 (WARP_PORT, 0 = any), starts the job
 * runner (crash recovery first), issues an admin API token and prints `READY <port> <token>`. Logs go
 * to `<data dir>/panel.log`. SIGTERM stops it gracefully; the tests SIGKILL it to simulate a crash.
 * With WARP_BENCH_TICKER=1 it also runs a job that logs a line every 20 ms until canceled and prints
 * `TICKER <jobId>` first (the load bench follows it over SSE). With WARP_CHILD_MONITORS=1 it also runs
 * the monitors (metrics sampler, notification delivery, engine and tunnel watches).
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { defineJob } from '../../src/features/jobs/job-types.js';
import { createLogger } from '../../src/lib/logger.js';

const config = loadConfig(process.env, process.env.WARP_DATA_DIR ?? '.');
const logFile = fs.createWriteStream(path.join(config.dataDir, 'panel.log'), { flags: 'a' });
const app = await createApp({ config, logger: createLogger(config.logLevel, logFile) });
await app.http.listen({ host: '127.0.0.1', port: config.port });
await app.runner.start();
// The access settings are what let a GitHub user in (and keep them in) on every request.
await app.services.settings.update(
  { actor: null, requestId: null, ip: null },
  { access: { adminUsers: ['panel-child'] } },
);
// As `serve` does; opt-in so the other fault and load runs keep their figures.
if (process.env.WARP_CHILD_MONITORS === '1') await app.monitors.start();
const admin = await app.services.auth.upsertGithubUser(
  { githubId: '424242', login: 'panel-child', name: null, avatarUrl: null },
  'admin',
);
const actor = { userId: admin.id, login: admin.login, role: admin.role, via: 'token' as const };
const { token } = await app.services.auth.createApiToken(
  { actor, requestId: null, ip: null },
  'panel-child',
  1,
);
if (process.env.WARP_BENCH_TICKER === '1') {
  app.jobs.register(
    defineJob({
      type: 'bench.ticker',
      input: z.object({}).strict(),
      async handler(ctx) {
        for (let i = 0; !ctx.signal.aborted; i++) {
          ctx.log.info(`tick ${i} ${'x'.repeat(60)}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      },
    }),
  );
  const job = await app.jobs.enqueue({ actor, requestId: null, ip: null }, 'bench.ticker', {});
  process.stdout.write(`TICKER ${job.id}\n`);
}
const { port } = app.http.server.address() as AddressInfo;
process.stdout.write(`READY ${port} ${token}\n`);
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
