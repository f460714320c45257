/**
 * Cold start to the first 200 from /healthz, and idle RSS, of the built server (`node dist/src/cli.js serve`).
 * Run: npm run build && npx tsx bench/startup.bench.ts
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const RUNS = 5;
const entry = path.resolve('dist/src/cli.js');
if (!fs.existsSync(entry)) throw new Error('build first: npm run build');

function rssKb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

async function once(dataDir: string, port: number): Promise<{ startMs: number; idleRssMb: number }> {
  const started = performance.now();
  // The flags `npm start`, the container and the systemd unit use.
  const child = spawn(process.execPath, ['--max-semi-space-size=2', entry, 'serve'], {
    env: { PATH: process.env.PATH, WARP_DATA_DIR: dataDir, WARP_PORT: String(port), WARP_LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  let startMs = Number.NaN;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.status === 200) {
        startMs = performance.now() - started;
        break;
      }
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
  await sleep(3000);
  const idleRssMb = rssKb(child.pid!) / 1024;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return { startMs, idleRssMb };
}

const results = [];
for (let i = 0; i < RUNS; i++) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-bench-'));
  const first = await once(dataDir, 18_500 + i);
  const warm = await once(dataDir, 18_600 + i); // existing database, migrations already applied
  results.push({ first, warm });
  fs.rmSync(dataDir, { recursive: true, force: true });
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const out = {
  runs: RUNS,
  firstStartMs: median(results.map((r) => r.first.startMs)).toFixed(0),
  restartMs: median(results.map((r) => r.warm.startMs)).toFixed(0),
  idleRssMb: median(results.map((r) => r.warm.idleRssMb)).toFixed(1),
  node: process.version,
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
