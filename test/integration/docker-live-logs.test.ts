import type Docker from 'dockerode';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient } from '../../src/integrations/docker/docker-client.js';
import { type LiveLogLine, openLiveLogs } from '../../src/integrations/docker/live-logs.js';
import {
  cleanupDocker,
  createTestContainer,
  ensureTestImage,
  newRunId,
  requireDocker,
  skipWithoutDocker,
  TEST_DOCKER_HOST,
} from '../support/docker.js';

const skip = await skipWithoutDocker();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skip)('live logs back-pressure', () => {
  let docker: Docker;
  const run = newRunId();

  beforeAll(async () => {
    docker = await requireDocker();
    await ensureTestImage(docker);
    await createTestContainer(docker, run, {
      name: `${run}-chatty`,
      cmd: ['sh', '-c', 'while true; do echo a line of log output; done'],
    });
  });
  afterAll(async () => {
    if (docker) await cleanupDocker(docker, run);
  });

  it('pauses the engine streams while the client is behind and resumes when it drains', async () => {
    const received: LiveLogLine[] = [];
    let drained: (() => void) | null = null;
    let full = false;
    const live = await openLiveLogs({
      docker: createDockerClient({ dockerHost: TEST_DOCKER_HOST, log: pino({ level: 'silent' }) }),
      log: pino({ level: 'silent' }),
      match: (c) => c.Names.includes(`/${run}-chatty`),
      tail: 0,
      sink: {
        write: (line) => {
          received.push(line);
          if (received.length >= 1000) full = true;
          return !full;
        },
        onceDrained: (cb) => {
          drained = cb;
        },
      },
    });
    try {
      for (let i = 0; i < 100 && !full; i++) await sleep(50);
      expect(full).toBe(true);
      await sleep(300);
      const whilePaused = received.length;
      await sleep(500);
      // Nothing more arrives while paused: the rest stays in the engine's log file, not in our memory.
      expect(received.length).toBe(whilePaused);
      full = false;
      received.length = 0;
      (drained as (() => void) | null)?.();
      for (let i = 0; i < 100 && received.length === 0; i++) await sleep(50);
      expect(received.length).toBeGreaterThan(0);
      expect(received[0]).toMatchObject({
        containerName: `${run}-chatty`,
        stream: 'stdout',
        text: 'a line of log output',
      });
    } finally {
      live.close();
    }
  });
});
