// The stack's floor for start and memory: Fastify + zod + better-sqlite3 (a WAL database in the data dir)
// answering /healthz through a zod-typed route — what any panel built on this stack starts and holds
// before doing anything of its own. Bundled by bench/lib/floors.ts the way the panel is (one file).
import { createRequire } from 'node:module';
import path from 'node:path';
import Fastify from 'fastify';
import { z } from 'zod';

const require = createRequire(path.join(process.env.FLOOR_ROOT, 'package.json'));
const SQLite = require('better-sqlite3');
const db = new SQLite(path.join(process.env.WARP_DATA_DIR, 'floor.db'));
db.pragma('journal_mode = WAL');
db.exec('create table if not exists t (id text primary key)');
const health = z.object({ status: z.string(), rows: z.number() });
const app = Fastify();
app.get('/healthz', async () =>
  health.parse({ status: 'ok', rows: db.prepare('select count(*) as n from t').get().n }),
);
await app.listen({ host: '127.0.0.1', port: Number(process.env.WARP_PORT) });
