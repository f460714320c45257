import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import fc from 'fast-check';
import type { Database } from '../../src/db/schema.js';
import type { TestApp } from './test-app.js';

const TABLES: (keyof Database)[] = [
  'users',
  'sessions',
  'login_tokens',
  'api_tokens',
  'settings',
  'onboarding',
  'projects',
  'deployments',
  'routes',
  'port_reservations',
  'jobs',
  'job_logs',
  'audit_log',
  'hook_deliveries',
  'deploy_hooks',
];
// Touched by every authenticated request by design (idle expiry, token last use): not a change of state.
const VOLATILE = new Set(['last_used_at', 'last_seen_at', 'idle_expires_at']);
const SQLITE_FILE = /\.(db|sqlite3?)(-wal|-shm|-journal)?$/;

/**
 * Everything a refused request must leave alone: every row of every table (minus the volatile
 * columns above, audit entries and hook deliveries that record a refused attempt), the warp.managed containers of
 * the app's projects, and the files under the data dir (config.yml, backups, repos; not the SQLite files).
 */
export async function snapshotState(t: TestApp, docker: Docker | null): Promise<unknown> {
  const db = t.app.db.kysely;
  const tables: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    let q = db.selectFrom(table).selectAll();
    if (table === 'audit_log') q = q.where('result' as never, '=', 'ok' as never);
    // A refused webhook or deploy-hook call is recorded as `rejected` by design (why didn't it deploy?).
    if (table === 'hook_deliveries') q = q.where('result' as never, '!=', 'rejected' as never);
    const rows = (await q.execute()) as Record<string, unknown>[];
    tables[table] = rows
      .map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !VOLATILE.has(k))))
      .map((r) => JSON.stringify(r))
      .sort();
  }
  // Only this app's projects: other suites on the same engine run their own managed containers.
  const mine = new Set((await db.selectFrom('projects').select('id').execute()).map((r) => r.id));
  const containers = docker
    ? (await docker.listContainers({ all: true, filters: { label: ['warp.managed=true'] } }))
        .filter((c) => mine.has(c.Labels['warp.project'] ?? ''))
        .map((c) => `${c.Id} ${c.State}`)
        .sort()
    : [];
  return { tables, containers, files: listFiles(t.dataDir) };
}

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!SQLITE_FILE.test(e.name)) {
        const st = fs.lstatSync(p);
        out.push(`${path.relative(root, p)} ${st.size} ${st.mtimeMs}`);
      }
    }
  };
  walk(root);
  return out.sort();
}

/** Arbitrary request bodies: any JSON value, objects with hostile keys, and raw (often malformed) text. */
export const anyBody: fc.Arbitrary<{ raw: string }> = fc.oneof(
  fc.jsonValue().map((v) => ({ raw: JSON.stringify(v) ?? 'null' })),
  fc.object({ maxDepth: 3 }).map((v) => ({ raw: JSON.stringify(v) ?? '{}' })),
  fc
    .dictionary(
      fc.constantFrom(
        '__proto__',
        'constructor',
        'prototype',
        'image',
        'subdomain',
        'path',
        'env',
        'port',
        'name',
      ),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map((v) => ({ raw: JSON.stringify(v) })),
  fc.string({ maxLength: 200 }).map((raw) => ({ raw })),
  fc.constantFrom(
    { raw: '' },
    { raw: '{' },
    { raw: '{"__proto__":{"polluted":1}}' },
    { raw: '[]' },
    { raw: '1e309' },
  ),
);

/** Text with the characters that break naive parsers: NUL, controls, unicode, separators, shell. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\0',
    'a\0b',
    '../../etc',
    '$(reboot)',
    '`id`',
    'a;b',
    'ä',
    'x'.repeat(300),
    '\n',
    '-x',
  ),
);
