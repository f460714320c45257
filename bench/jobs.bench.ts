/**
 * Job runner figures: enqueue → start latency with an idle runner; log ingestion from a fast child
 * process (`seq 1 200000` via ctx.run) through to an SSE client; memory with 50 SSE subscribers; a
 * slow SSE client. SSE clients run in a separate process so they do not share the server's event loop.
 * Ratios compare with the raw engine in the same run (a bare insert + claim; a bare spawn reading lines).
 * Run: npx tsx bench/jobs.bench.ts
 */
import { postgresAvailable } from '../test/support/databases.js';
import { actorContext } from '../test/support/job-helpers.js';
import {
  bearer,
  buildApp,
  LINES,
  mb,
  pct,
  print,
  rawClaimMs,
  rawSpawnLinesPerSec,
  SUBSCRIBERS,
  seqJobWithClients,
  waitDone,
} from './lib/jobs-harness.js';

const LATENCY_RUNS = 300;

async function benchEngine(engine: 'sqlite' | 'postgres') {
  print(`\n== ${engine} ==`);
  const b = await buildApp(engine);
  const auth = await bearer(b.app);
  const ctx = actorContext('bench');

  // 1. enqueue → start latency with an idle runner.
  const lat: number[] = [];
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const t0 = performance.now();
    const job = await b.app.jobs.enqueue(ctx, 'bench.noop', {});
    await waitDone(b.app, job.id);
    lat.push(b.starts.get(job.id)! - t0);
  }
  const raw = await rawClaimMs(b.app);
  print(
    `start latency (${LATENCY_RUNS} jobs): p50 ${pct(lat, 0.5).toFixed(2)} ms, p99 ${pct(lat, 0.99).toFixed(2)} ms (target p50 < 20 ms)`,
  );
  print(
    `  raw insert+update: p50 ${pct(raw, 0.5).toFixed(2)} ms → runner/raw ${(pct(lat, 0.5) / pct(raw, 0.5)).toFixed(1)}x`,
  );

  // 2. ingestion through to one SSE client.
  const rawRate = await rawSpawnLinesPerSec(LINES);
  const one = await seqJobWithClients(b, auth, 1, false);
  const stored = await b.app.repos.jobLogs.lastSeq(one.job.id);
  const rate = LINES / one.clientSecs;
  print(
    `ingestion: ${LINES} lines → ${Math.round(rate)} lines/s end to end (job done in ${one.jobSecs.toFixed(2)} s, client got ${one.results[0]?.logs} log events in ${one.clientSecs.toFixed(2)} s, ${stored} lines stored; target ≥ 50k/s)`,
  );
  print(`  raw spawn+split: ${Math.round(rawRate)} lines/s → raw/end-to-end ${(rawRate / rate).toFixed(1)}x`);

  // 3. 50 subscribers (+ one stalled client that must be dropped without slowing the job).
  const many = await seqJobWithClients(b, auth, SUBSCRIBERS, true);
  const complete = many.results.filter((r) => r.ended === 'end' && r.logs >= LINES).length;
  print(
    `${SUBSCRIBERS} subscribers: ${complete}/${SUBSCRIBERS} got all ${LINES} lines; job ${many.jobSecs.toFixed(2)} s, last client done ${many.clientSecs.toFixed(2)} s → ${Math.round((LINES * SUBSCRIBERS) / many.clientSecs)} events/s delivered`,
  );
  print(
    `  server memory: RSS ${mb(many.before.rss)} → peak ${mb(many.peakRss)} (+${mb(many.peakRss - many.before.rss)}), heap ${mb(many.before.heapUsed)} → peak ${mb(many.peakHeap)}`,
  );
  const s = many.slow[0];
  print(
    `  stalled client: ${s?.ended === 'dropped' ? 'dropped with a SLOW_CLIENT note' : `NOT dropped (${s?.ended})`} after ${s?.logs} events; job time with it attached ${many.jobSecs.toFixed(2)} s vs ${one.jobSecs.toFixed(2)} s with one fast client`,
  );
  await b.close();
}

await benchEngine('sqlite');
if (await postgresAvailable()) await benchEngine('postgres');
else print('\n(postgres not reachable: skipped)');
process.exit(0);
