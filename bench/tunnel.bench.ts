/**
 * Tunnel config figures: the cost of one safe config.yml update (both locks, merge of the panel's
 * rows, cloudflared-style validation, backup, temp file + fsync + rename) against the raw engine
 * measured in the same run (a bare `fs.writeFile` of the same text, and a bare YAML parse).
 * Run: npx tsx bench/tunnel.bench.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { RouteRow } from '../src/db/schema.js';
import { mergeConfigText } from '../src/features/tunnel/tunnel-ingress.js';
import { createConfigStore } from '../src/integrations/cloudflare/config-store.js';
import { systemClock } from '../src/lib/clock.js';

const FOREIGN_RULES = 50;
const RUNS = 300;
const print = (line: string) => process.stdout.write(`${line}\n`);

const foreign = Array.from(
  { length: FOREIGN_RULES },
  (_, i) => `  # rule ${i}\n  - hostname: f${i}.example.com\n    service: http://localhost:${9000 + i}\n`,
).join('');
const base = `tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef\ningress:\n${foreign}  - service: http_status:404\n`;
const row = (i: number): RouteRow => ({
  id: `r${i}`,
  hostname: `p${i}.example.com`,
  service: `http://localhost:${8100 + i}`,
  project_id: null,
  ingress_state: 'applied',
  dns_state: 'created',
  dns_record_id: null,
  created_at: '',
  updated_at: '',
});

async function time(
  label: string,
  n: number,
  fn: (i: number) => Promise<unknown> | unknown,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const perOp = (performance.now() - started) / n;
  print(`${label.padEnd(52)} ${perOp.toFixed(3)} ms/op`);
  return perOp;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-bench-tunnel-'));
const file = path.join(dir, 'config.yml');
fs.writeFileSync(file, base);
const store = createConfigStore({
  configPath: file,
  backupDir: path.join(dir, 'backups'),
  clock: systemClock,
});

print(`config.yml with ${FOREIGN_RULES} foreign rules, ${RUNS} runs each`);
const rawParse = await time('raw: yaml parseDocument', RUNS, () => parseDocument(base));
const merge = await time('merge + validate (one new panel rule)', RUNS, (i) =>
  mergeConfigText(base, [row(i % 20)]),
);
const rawWrite = await time('raw: fs.writeFile', RUNS, () =>
  fs.promises.writeFile(path.join(dir, 'raw.yml'), base),
);
const safe = await time('store.update (locks, merge, validate, backup, fsync)', RUNS, async (i) => {
  // One panel rule whose service flips every run, so every run writes a file of the same size.
  const r = { ...row(0), service: `http://localhost:${8100 + (i % 2)}` };
  await store.update((text) => mergeConfigText(text ?? base, [r]));
});
print(`merge/parse ratio: ${(merge / rawParse).toFixed(2)}x`);
print(`safe update / raw write ratio: ${(safe / rawWrite).toFixed(1)}x`);
print(
  `final config: ${fs.readFileSync(file, 'utf8').split('\n').length} lines, backups kept: ${fs.readdirSync(path.join(dir, 'backups')).length}`,
);
fs.rmSync(dir, { recursive: true, force: true });
