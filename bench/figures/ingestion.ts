/**
 * Job log ingestion: `seq 1 200000` through a job (ctx.run → masking → numbering → batched inserts) to
 * one SSE client in another process, on SQLite and PostgreSQL. The reference measured in the same run is
 * a bare spawn of the same `seq` that only splits its output into lines.
 */
import { bearer, buildApp, LINES, rawSpawnLinesPerSec, seqJobWithClients } from '../lib/jobs-harness.js';
import { median, thousands } from '../lib/stats.js';
import type { Figure } from './figure.js';

/** `runs` jobs on `engine`; lines/s from the job's start to the client's last line. */
export async function measureIngestion(engine: 'sqlite' | 'postgres', runs: number): Promise<Figure> {
  const b = await buildApp(engine);
  try {
    const auth = await bearer(b.app);
    const rates: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < runs; i++) {
      raw.push(await rawSpawnLinesPerSec(LINES));
      const run = await seqJobWithClients(b, auth, 1, false);
      if ((run.results[0]?.logs ?? 0) < LINES)
        throw new Error(`client got ${run.results[0]?.logs} of ${LINES} lines`);
      rates.push(LINES / run.clientSecs);
    }
    return {
      figure: `job log ingestion, ${engine} (${thousands(LINES)} lines to an SSE client), lines/s`,
      panel: `${thousands(median(rates))} (${rates.map(thousands).join(', ')})`,
      reference: `bare spawn + split ${thousands(median(raw))}`,
      ratio: null,
      target: '≥ 100,000',
      met: median(rates) >= 100_000,
    };
  } finally {
    await b.close();
  }
}
