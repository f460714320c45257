/**
 * The panel as a separate process, for fault injection and load: builds the app from the environment
 * (WARP_DATA_DIR, WARP_DATABASE_URL, …), listens on 127.0.0.1 (WARP_PORT, 0 = any), starts the job
 * runner (crash recovery first), issues an admin API token and prints `READY <port> <token>`. Logs go
 * to `<data dir>/panel.log`. SIGTERM stops it gracefully; the tests SIGKILL it to simulate a crash.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logger.js';

const config = loadConfig(process.env, process.env.WARP_DATA_DIR ?? '.');
const logFile = fs.createWriteStream(path.join(config.dataDir, 'panel.log'), { flags: 'a' });
const app = await createApp({ config, logger: createLogger(config.logLevel, logFile) });
await app.http.listen({ host: '127.0.0.1', port: config.port });
await app.runner.start();
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
const { port } = app.http.server.address() as AddressInfo;
process.stdout.write(`READY ${port} ${token}\n`);
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
