/**
 * Start and idle memory, the way users run the panel, each next to a bare Node HTTP server started the
 * same way in the same run: the unit's/image's command (`node --max-semi-space-size=2 dist/src/cli.js
 * serve`, fresh data dir, WARP_LOG_LEVEL=warn) to its first /healthz 200, RSS after 3 s idle, and the same
 * through `npm start` (reference: `npm start` of a package whose start script runs the bare server). Beside
 * them, the stack's floor (bench/lib/floors.ts): Fastify + zod + SQLite alone, started the same way.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildStackFloor } from '../lib/floors.js';
import {
  BARE_ARGS,
  freshDataDir,
  PANEL_ARGS,
  ROOT,
  rssMiB,
  type Started,
  startAndWait,
} from '../lib/processes.js';
import { median, withSpread } from '../lib/stats.js';
import type { Figure } from './figure.js';

const IDLE_MS = 3000;

async function once(run: () => Promise<Started>, idleMs: number): Promise<{ ms: number; rss: number }> {
  const started = await run();
  await sleep(idleMs);
  const rss = rssMiB(started.pid);
  await started.stop();
  return { ms: started.startMs, rss };
}

/** `runs` alternating starts of the panel and of the bare server (fresh data dir each time). */
export async function measureStartup(runs: number): Promise<Figure[]> {
  const panel = { ms: [] as number[], rss: [] as number[] };
  const bare = { ms: [] as number[], rss: [] as number[] };
  const floor = { ms: [] as number[], rss: [] as number[] };
  const npmPanel: number[] = [];
  const npmBare: number[] = [];
  const stack = await buildStackFloor();
  // A package whose `npm start` is the bare server: the reference for the panel's `npm start`.
  const barePkg = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-bench-bare-'));
  fs.writeFileSync(
    path.join(barePkg, 'package.json'),
    JSON.stringify({ name: 'bare', private: true, scripts: { start: `node ${BARE_ARGS.join(' ')}` } }),
  );
  try {
    for (let i = 0; i < runs; i++) {
      const data = freshDataDir();
      try {
        const p = await once(
          () =>
            startAndWait(process.execPath, PANEL_ARGS, { WARP_DATA_DIR: data.dir, WARP_LOG_LEVEL: 'warn' }),
          IDLE_MS,
        );
        panel.ms.push(p.ms);
        panel.rss.push(p.rss);
      } finally {
        data.remove();
      }
      const b = await once(() => startAndWait(process.execPath, BARE_ARGS, {}), IDLE_MS);
      bare.ms.push(b.ms);
      bare.rss.push(b.rss);
      const floorData = freshDataDir();
      try {
        const f = await once(
          () =>
            startAndWait(process.execPath, [BARE_ARGS[0] as string, stack.file], {
              ...stack.env,
              WARP_DATA_DIR: floorData.dir,
            }),
          IDLE_MS,
        );
        floor.ms.push(f.ms);
        floor.rss.push(f.rss);
      } finally {
        floorData.remove();
      }
      const npmData = freshDataDir();
      try {
        const n = await once(
          () =>
            startAndWait('npm', ['start', '--silent'], {
              WARP_DATA_DIR: npmData.dir,
              WARP_LOG_LEVEL: 'warn',
            }),
          0,
        );
        npmPanel.push(n.ms);
      } finally {
        npmData.remove();
      }
      npmBare.push(
        (await once(() => startAndWait('npm', ['start', '--silent'], {}, { cwd: barePkg }), 0)).ms,
      );
    }
  } finally {
    fs.rmSync(barePkg, { recursive: true, force: true });
    stack.remove();
  }
  return [
    {
      figure: 'start → first /healthz 200 (unit/image command)',
      panel: `${withSpread(panel.ms, 0)} ms`,
      reference: `bare Node ${withSpread(bare.ms, 0)} ms`,
      ratio: median(panel.ms) / median(bare.ms),
      target: '≤ 3×',
      met: median(panel.ms) / median(bare.ms) <= 3,
    },
    {
      figure: 'start → first /healthz 200 (npm start)',
      panel: `${withSpread(npmPanel, 0)} ms`,
      reference: `npm start of bare Node ${withSpread(npmBare, 0)} ms (bare Node itself ${median(bare.ms).toFixed(0)} ms)`,
      ratio: median(npmPanel) / median(npmBare),
      target: '≤ 3×',
      met: median(npmPanel) / median(npmBare) <= 3,
    },
    {
      figure: `idle RSS ${IDLE_MS / 1000} s after start`,
      panel: `${withSpread(panel.rss)} MiB`,
      reference: `bare Node ${withSpread(bare.rss)} MiB`,
      ratio: median(panel.rss) / median(bare.rss),
      target: '≤ 1.4×',
      met: median(panel.rss) / median(bare.rss) <= 1.4,
    },
    {
      figure: 'floor: start of the stack alone (Fastify + zod + SQLite answering /healthz, bundled)',
      panel: `${withSpread(floor.ms, 0)} ms`,
      reference: `bare Node ${withSpread(bare.ms, 0)} ms`,
      ratio: median(floor.ms) / median(bare.ms),
      target: 'context',
      met: null,
    },
    {
      figure: 'floor: idle RSS of the stack alone',
      panel: `${withSpread(floor.rss)} MiB`,
      reference: `bare Node ${withSpread(bare.rss)} MiB`,
      ratio: median(floor.rss) / median(bare.rss),
      target: 'context',
      met: null,
    },
  ];
}

/** Where the bundle is, so a stale or missing build is caught before anything is measured. */
export const BUNDLE = path.join(ROOT, 'dist/src/cli.js');
