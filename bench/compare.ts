/**
 * Every performance figure in one run, each next to its reference measured in the same run, printed as
 * one table (figure | panel | reference | ratio | target | met) — the table in docs/performance.md.
 * The panel runs as users run it: the built bundle (`node --max-semi-space-size=2 dist/src/cli.js serve`
 * and `npm start`), as its own process, fresh data dir, WARP_LOG_LEVEL=warn. Job ingestion runs the job
 * runner in this process (it needs the bench's job types). Containers the bench creates carry its own
 * label and are removed at the end.
 * Run: npm run bench:compare   (builds what is stale first; needs Docker, and PostgreSQL for one figure)
 *      BENCH_QUICK=1 npm run bench:compare   (fewer rounds, for a smoke run)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { postgresAvailable } from '../test/support/databases.js';
import { cleanupDocker, ensureTestImage, newRunId, requireDocker } from '../test/support/docker.js';
import { measureList, measureStats, measureStream } from './figures/containers.js';
import type { Figure } from './figures/figure.js';
import { measureIngestion } from './figures/ingestion.js';
import { measureScale, seedProjects, tunnelEnv } from './figures/scale.js';
import { BUNDLE, measureStartup } from './figures/startup.js';
import { measureTimeToLive } from './figures/time-to-live.js';
import { removeContainers, topUpContainers } from './lib/engine.js';
import { freshDataDir, rssMiB, startPanel } from './lib/processes.js';

const quick = process.env.BENCH_QUICK === '1';
// BENCH_ONLY=start,list200,stats,stream,list1000,scale,ttl,ingestion runs a subset (when tuning one figure).
const only = process.env.BENCH_ONLY?.split(',');
const wanted = (...names: string[]) => !only || names.some((n) => only.includes(n));
const say = (line: string) => process.stderr.write(`${line}\n`);
if (!fs.existsSync(BUNDLE)) throw new Error('build first: npm run build');

const rows: Figure[] = [];
const step = async (name: string, fn: () => Promise<Figure | Figure[]>) => {
  if (!wanted(name.split(' ')[0] as string)) return;
  const t0 = performance.now();
  say(`… ${name}`);
  try {
    const got = await fn();
    rows.push(...(Array.isArray(got) ? got : [got]));
  } catch (err) {
    say(`  failed: ${(err as Error).stack}`);
    rows.push({
      figure: name,
      panel: `failed: ${(err as Error).message}`,
      reference: '',
      ratio: null,
      target: '',
      met: false,
    });
  }
  say(`  ${((performance.now() - t0) / 1000).toFixed(0)} s`);
};

const docker = await requireDocker();
await ensureTestImage(docker);
const run = newRunId();
try {
  await step('start (and idle memory)', () => measureStartup(quick ? 3 : 7));

  // 200 containers: list, cached stats, live stream (one panel process).
  if (wanted('list200', 'stats', 'stream')) {
    const d200 = freshDataDir();
    const count200 = await topUpContainers(docker, run, 200);
    const panel = await startPanel(d200.dir);
    try {
      await step('list200 (200 containers)', () =>
        measureList(panel, quick ? 15 : 40, `${count200} containers`),
      );
      await step('stats', () => measureStats(panel, quick ? 100 : 300));
      await step('stream', () => measureStream(panel, run, quick ? 2 : 6, 3));
    } finally {
      await panel.stop();
      d200.remove();
    }
  }

  await step('ttl (quick service time to live)', () => measureTimeToLive(docker, run, quick ? 2 : 5));

  // 1,000 containers and 200 projects: list, pages, memory growth.
  if (wanted('list1000', 'scale')) {
    const d1000 = freshDataDir();
    const projects = await seedProjects(d1000.dir, 200);
    const count1000 = await topUpContainers(docker, run, 1000, (i) => ({
      'warp.managed': 'true',
      'warp.project': projects[i % projects.length] as string,
    }));
    const big = await startPanel(d1000.dir, tunnelEnv(d1000.dir));
    // Memory growth counts from the idle panel, before any of the lists and pages below.
    await sleep(2000);
    const idleRss = rssMiB(big.pid);
    try {
      await step('list1000', () => measureList(big, quick ? 10 : 30, `${count1000} containers`));
      await step('scale', () => measureScale(big, projects, quick ? 10 : 30, idleRss));
    } finally {
      await big.stop();
      d1000.remove();
    }
  }
} finally {
  say('… removing the bench containers');
  await removeContainers(docker, run);
  await cleanupDocker(docker, run);
}

await step('ingestion (sqlite)', () => measureIngestion('sqlite', quick ? 1 : 3));
if (!wanted('ingestion')) {
  // skipped
} else if (await postgresAvailable())
  await step('ingestion (postgres)', () => measureIngestion('postgres', quick ? 1 : 3));
else
  rows.push({
    figure: 'job log ingestion, postgres',
    panel: 'PostgreSQL not reachable',
    reference: '',
    ratio: null,
    target: '≥ 100,000',
    met: false,
  });

const header = `Run ${new Date().toISOString()} on ${os.hostname()} (${os.cpus().length} CPUs, ${os.cpus()[0]?.model.trim()}), Node ${process.version}, load ${os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')}`;
const table = [
  '| figure | panel | reference | ratio | target | met |',
  '|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.figure} | ${r.panel} | ${r.reference} | ${r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`} | ${r.target} | ${r.met === null ? '—' : r.met ? 'yes' : '**no**'} |`,
  ),
].join('\n');
process.stdout.write(
  `${header}\n\n${table}\n\n${rows.filter((r) => r.met === true).length} of ${rows.filter((r) => r.met !== null).length} targets met\n`,
);
const out = process.env.BENCH_OUT ?? path.join(os.tmpdir(), `warp-bench-${Date.now()}.md`);
fs.writeFileSync(out, `${header}\n\n${table}\n`);
say(`written to ${out}`);
process.exit(0);
