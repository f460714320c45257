/**
 * Container figures against the raw engine in the same run, with the panel running as its own process:
 * the list (`GET /api/v1/containers` vs `/containers/json?all=1`, requests interleaved), cached system
 * stats (vs a raw `/system/df`), and the live log stream (vs a raw `logs?follow=1` of the same container).
 */
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { TEST_IMAGE, TEST_LABEL } from '../../test/support/docker.js';
import { engineGet, SOCKET } from '../lib/engine.js';
import { LIST_PRESENTER } from '../lib/floors.js';
import { BARE_ARGS, cpuMs, type Panel, readBody, startAndWait } from '../lib/processes.js';
import { median, percentile, thousands, withSpread } from '../lib/stats.js';
import type { Figure } from './figure.js';

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * `pairs` interleaved rounds (raw, panel, floor) after a warm-up; each side parses the JSON it gets. The
 * floor is a bare Node presenter of the same list (bench/lib/floors/list-presenter.mjs), as context.
 */
export async function measureList(panel: Panel, pairs: number, label: string): Promise<Figure[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const floorAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const presenter = await startAndWait(process.execPath, [BARE_ARGS[0] as string, LIST_PRESENTER.file], {
    ...LIST_PRESENTER.env,
  });
  const raw = () => engineGet('/containers/json?all=1', agent).then(JSON.parse);
  const app = () => panel.get('/api/v1/containers').then(JSON.parse);
  const floor = () =>
    readBody({ host: '127.0.0.1', port: presenter.port, path: '/', agent: floorAgent }).then(JSON.parse);
  try {
    const count = (JSON.parse(await panel.get('/api/v1/containers')) as { items: unknown[] }).items.length;
    for (let i = 0; i < 5; i++) await Promise.all([raw(), app(), floor()].map((p) => p.catch(() => {})));
    const r: number[] = [];
    const a: number[] = [];
    const f: number[] = [];
    for (let i = 0; i < pairs; i++) {
      // Interleaved, so drift in the engine's load hits every side alike.
      r.push(await timed(raw));
      a.push(await timed(app));
      f.push(await timed(floor));
    }
    const ratio = median(a) / median(r);
    return [
      {
        figure: `container list, ${label} (${count} listed), p50`,
        panel: `${withSpread(a)} ms`,
        reference: `raw /containers/json?all=1 ${withSpread(r)} ms`,
        ratio,
        target: '≤ 1.1×',
        met: ratio <= 1.1,
      },
      {
        figure: `floor: the same list through a bare Node presenter (parse, views, JSON), ${label}`,
        panel: `${withSpread(f)} ms`,
        reference: `raw ${withSpread(r)} ms`,
        ratio: median(f) / median(r),
        target: 'context',
        met: null,
      },
    ];
  } finally {
    agent.destroy();
    floorAgent.destroy();
    await presenter.stop();
  }
}

/** Cached `GET /api/v1/system/docker` p50 (after the first call filled the cache). */
export async function measureStats(panel: Panel, runs: number): Promise<Figure> {
  await panel.get('/api/v1/system/docker');
  const cached: number[] = [];
  for (let i = 0; i < runs; i++) cached.push(await timed(() => panel.get('/api/v1/system/docker')));
  const df: number[] = [];
  for (let i = 0; i < 5; i++) df.push(await timed(() => engineGet('/system/df')));
  return {
    figure: 'cached system stats (GET /api/v1/system/docker), p50',
    panel: `${median(cached).toFixed(2)} ms (p95 ${percentile(cached, 0.95).toFixed(2)})`,
    reference: `raw /system/df ${withSpread(df)} ms`,
    ratio: null,
    target: '< 2 ms',
    met: median(cached) < 2,
  };
}

/**
 * Count newline-terminated lines (or SSE `event: log` frames) read from a GET for `seconds`, in a child
 * process, so the reader does not share an event loop with anything measured.
 */
function countFor(target: http.RequestOptions, seconds: number, marker: string): Promise<number> {
  // The window opens at the first chunk that holds a line (its lines are not counted): the stream's
  // set-up (sign-in, the container lookups) is latency, not throughput.
  const reader = `
    const http = require('node:http');
    const [target, seconds, marker] = [JSON.parse(process.argv[1]), Number(process.argv[2]), process.argv[3]];
    let count = -1, carry = '';
    const stop = () => { req.destroy(); process.stdout.write(String(Math.max(count, 0))); process.exit(0); };
    const req = http.get(target, (res) => {
      res.setEncoding('latin1');
      res.on('data', (chunk) => {
        const text = carry + chunk;
        let last = 0, n = 0, i = text.indexOf(marker);
        while (i !== -1) { n++; last = i + marker.length; i = text.indexOf(marker, last); }
        carry = text.slice(Math.max(last, text.length - marker.length));
        if (count === -1) { if (n > 0) { count = 0; setTimeout(stop, seconds * 1000); } }
        else count += n;
      });
    });
    req.on('error', () => {});
    setTimeout(stop, seconds * 1000 + 30000);
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', reader, JSON.stringify(target), String(seconds), marker]);
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', reject);
    child.on('close', () => resolve(Number(out) / seconds));
  });
}

/** Lines/s of a container printing as fast as it can: raw follow vs the panel's SSE, `rounds` each, alternating. */
export async function measureStream(
  panel: Panel,
  run: string,
  rounds: number,
  seconds: number,
): Promise<Figure> {
  const name = `${run}-chatty`;
  execFileSync('docker', [
    ...['run', '-d', '--init', '--name', name, '--label', `${TEST_LABEL}=${run}`, TEST_IMAGE],
    ...['sh', '-c', 'i=0; while true; do i=$((i+1)); echo "line $i of the benchmark output"; done'],
  ]);
  try {
    const raw: number[] = [];
    const app: number[] = [];
    let appCpuMs = 0;
    for (let i = 0; i < rounds; i++) {
      raw.push(
        await countFor(
          {
            socketPath: SOCKET,
            path: `/containers/${name}/logs?follow=1&stdout=1&stderr=1&timestamps=1&tail=0`,
          },
          seconds,
          '\n',
        ),
      );
      const cpu0 = cpuMs(panel.pid);
      app.push(
        await countFor(
          {
            host: '127.0.0.1',
            port: panel.port,
            path: `/api/v1/containers/logs/stream?name=${name}`,
            headers: { cookie: panel.cookie },
          },
          seconds,
          'event: log',
        ),
      );
      appCpuMs += cpuMs(panel.pid) - cpu0;
    }
    const ratio = median(app) / median(raw);
    return {
      figure: 'live log stream, lines/s (median of rounds)',
      panel: `${thousands(median(app))} (${app.map(thousands).join(', ')}; panel CPU ${((appCpuMs * 1000) / (app.reduce((x, y) => x + y, 0) * seconds)).toFixed(1)} µs/line)`,
      reference: `raw logs?follow=1 ${thousands(median(raw))} (${raw.map(thousands).join(', ')})`,
      ratio,
      target: '≥ 0.9×',
      met: ratio >= 0.9,
    };
  } finally {
    execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
  }
}
