/**
 * Containers figures against the raw engine, measured in the same run, with 200 containers (most
 * created, not started; all labelled for cleanup): the container list through the app vs raw
 * `/containers/json?all=1`, cached system stats vs a raw `/system/df`, live-stream throughput vs a
 * raw `logs?follow=1` on the same container, and RSS per open stream.
 * Run: npx tsx bench/containers.bench.ts
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { connectionOptions } from '../src/integrations/docker/docker-client.js';
import { createLogger } from '../src/lib/logger.js';
import {
  cleanupDocker,
  createTestContainer,
  ensureTestImage,
  newRunId,
  requireDocker,
  TEST_DOCKER_HOST,
} from '../test/support/docker.js';

const CONTAINERS = 200;
const RUNNING = 10;
const LIST_RUNS = 40;
const STATS_RUNS = 300;
const STREAM_SECONDS = 3;
const STREAMS_FOR_RSS = 50;
const print = (line: string) => process.stdout.write(`${line}\n`);
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const socketPath = connectionOptions(TEST_DOCKER_HOST).socketPath as string;

/** A raw engine request over the socket; resolves with the body once read. */
function engineGet(pathname: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath, path: pathname }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * Count newline-terminated lines (or SSE `event: log` frames) read from a GET for `seconds`. The
 * reader runs in a child process, so it does not compete with the app's event loop in this one.
 */
function countFor(
  target: {
    socketPath?: string;
    host?: string;
    port?: number;
    path: string;
    headers?: Record<string, string>;
  },
  seconds: number,
  marker: string,
): Promise<number> {
  const reader = `
    const http = require('node:http');
    const [target, seconds, marker] = [JSON.parse(process.argv[1]), Number(process.argv[2]), process.argv[3]];
    let count = 0, carry = '';
    const req = http.get(target, (res) => {
      res.setEncoding('latin1');
      res.on('data', (chunk) => {
        const text = carry + chunk;
        let last = 0, i = text.indexOf(marker);
        while (i !== -1) { count++; last = i + marker.length; i = text.indexOf(marker, last); }
        carry = text.slice(Math.max(last, text.length - marker.length));
      });
    });
    req.on('error', () => {});
    setTimeout(() => { req.destroy(); process.stdout.write(String(count)); process.exit(0); }, seconds * 1000);
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', reader, JSON.stringify(target), String(seconds), marker]);
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', reject);
    child.on('close', () => resolve(Number(out)));
  });
}

const docker = await requireDocker();
await ensureTestImage(docker);
const run = newRunId();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-bench-'));
const config = loadConfig(
  { WARP_DATA_DIR: dataDir, WARP_LOG_LEVEL: 'warn', DOCKER_HOST: TEST_DOCKER_HOST },
  dataDir,
);
const app = await createApp({ config, logger: createLogger('warn') });

try {
  print(`creating ${CONTAINERS} containers (${RUNNING} running)…`);
  for (let i = 0; i < CONTAINERS; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, CONTAINERS - i) }, (_, k) =>
        createTestContainer(docker, run, { name: `${run}-c${i + k}`, start: i + k < RUNNING - 1 }),
      ),
    );
  }
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.http.server.address() as AddressInfo).port;
  const { token } = await app.services.auth.issueLoginToken('cli');
  const login = await app.http.inject({ method: 'POST', url: '/auth/token', payload: { token } });
  const cookie = `warp_session=${login.cookies.find((c) => c.name === 'warp_session')?.value}`;
  const appGet = (p: string) =>
    new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: p, headers: { cookie } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            body += c;
          });
          res.on('end', () => resolve(body));
        })
        .on('error', reject);
    });

  // 1. Container list.
  const listed = JSON.parse(await appGet('/api/v1/containers')).items.length as number;
  await timeIt(5, () => engineGet('/containers/json?all=1').then(JSON.parse));
  const raw: number[] = [];
  const viaApp: number[] = [];
  for (let i = 0; i < LIST_RUNS; i++) {
    // Interleaved, so drift in engine load hits both sides alike.
    raw.push(...(await timeIt(1, () => engineGet('/containers/json?all=1').then(JSON.parse))));
    viaApp.push(...(await timeIt(1, () => appGet('/api/v1/containers').then(JSON.parse))));
  }
  print(`\n[list] ${listed} containers`);
  print(`  raw engine /containers/json?all=1  p50 ${p50(raw).toFixed(1)} ms`);
  print(`  app GET /api/v1/containers         p50 ${p50(viaApp).toFixed(1)} ms`);
  print(`  ratio app/raw ${(p50(viaApp) / p50(raw)).toFixed(2)}× (target ≤ 1.3×)`);

  // 2. System stats: cached vs a raw df.
  const first = await timeIt(1, () => appGet('/api/v1/system/docker'));
  const cached = await timeIt(STATS_RUNS, () => appGet('/api/v1/system/docker'));
  const df = await timeIt(5, () => engineGet('/system/df'));
  print('\n[system stats]');
  print(`  first call (waits for df + info)   ${first[0]?.toFixed(1)} ms`);
  print(`  cached GET /api/v1/system/docker   p50 ${p50(cached).toFixed(2)} ms (target < 5 ms)`);
  print(`  raw engine /system/df              p50 ${p50(df).toFixed(1)} ms`);
  print(`  ratio cached/raw df ${(p50(cached) / p50(df)).toFixed(3)}×`);

  // 3. Live stream throughput on the same container (started only now: it loads the CPU).
  const chatty = `${run}-chatty`;
  await createTestContainer(docker, run, {
    name: chatty,
    cmd: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo "line $i of the benchmark output"; done'],
  });

  const rawLines = await countFor(
    {
      socketPath,
      path: `/containers/${chatty}/logs?follow=1&stdout=1&stderr=1&timestamps=1&tail=0`,
    },
    STREAM_SECONDS,
    '\n',
  );
  const appLines = await countFor(
    { host: '127.0.0.1', port, path: `/api/v1/containers/logs/stream?name=${chatty}`, headers: { cookie } },
    STREAM_SECONDS,
    'event: log',
  );
  const rawRate = rawLines / STREAM_SECONDS;
  const appRate = appLines / STREAM_SECONDS;
  print('\n[live stream]');
  print(`  raw engine logs?follow=1           ${Math.round(rawRate).toLocaleString('en')} lines/s`);
  print(`  app SSE /containers/logs/stream    ${Math.round(appRate).toLocaleString('en')} lines/s`);
  print(`  ratio app/raw ${(appRate / rawRate).toFixed(2)}× (target ≥ 0.5×)`);

  // 4. RSS per open stream (quiet streams on the idle running containers).
  global.gc?.();
  await sleep(200);
  const before = process.memoryUsage();
  const open: http.ClientRequest[] = [];
  for (let i = 0; i < STREAMS_FOR_RSS; i++) {
    await new Promise<void>((resolve) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port,
          path: `/api/v1/containers/logs/stream?name=${run}-c${i % (RUNNING - 1)}`,
          headers: { cookie },
        },
        (res) => {
          res.resume();
          resolve();
        },
      );
      open.push(req);
    });
  }
  await sleep(500);
  global.gc?.();
  const after = process.memoryUsage();
  print('\n[memory]');
  const perStream = (k: 'rss' | 'heapUsed') => (after[k] - before[k]) / 1024 / STREAMS_FOR_RSS;
  print(
    `  ${STREAMS_FOR_RSS} open streams: RSS +${perStream('rss').toFixed(0)} KB, heap +${perStream('heapUsed').toFixed(0)} KB per stream`,
  );
  for (const req of open) req.destroy();
} finally {
  await app.close();
  print('\ncleaning up…');
  await cleanupDocker(docker, run);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
