import http from 'node:http';
import type Docker from 'dockerode';
import { runHealthGate } from '../../src/features/deploy/health-gate.js';
import { connectionOptions } from '../../src/integrations/docker/docker-client.js';
import { createTestContainer, TEST_DOCKER_HOST, TEST_LABEL } from '../../test/support/docker.js';

/** The engine's socket (the references talk to it directly). */
export const SOCKET = connectionOptions(TEST_DOCKER_HOST).socketPath as string;

/** A raw engine GET over the socket (keep-alive, like the panel's own calls); resolves with the body. */
export function engineGet(pathname: string, agent?: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: SOCKET, path: pathname, ...(agent ? { agent } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      })
      .on('error', reject);
  });
}

/**
 * Top the engine up to `total` containers with created (not started) busybox containers carrying the
 * run's label (and `labels(i)`), 20 at a time. Other suites' containers count towards the total.
 */
export async function topUpContainers(
  docker: Docker,
  run: string,
  total: number,
  labels: (i: number) => Record<string, string> = () => ({}),
): Promise<number> {
  const present = (await docker.listContainers({ all: true })).length;
  const ours = (await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${run}`] } }))
    .length;
  for (let i = 0; i < total - present; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, total - present - i) }, (_, k) =>
        createTestContainer(docker, run, {
          name: `${run}-c${ours + i + k}`,
          start: false,
          labels: labels(ours + i + k),
        }),
      ),
    );
  }
  return (await docker.listContainers({ all: true })).length;
}

/** Remove every container carrying the run's label, 20 at a time (a thousand at once overwhelms the engine). */
export async function removeContainers(docker: Docker, run: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const left = await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${run}`] } });
    if (left.length === 0) return;
    for (let i = 0; i < left.length; i += 20) {
      await Promise.all(
        left.slice(i, i + 20).map((c) =>
          docker
            .getContainer(c.Id)
            .remove({ force: true, v: true })
            .catch(() => {}),
        ),
      );
    }
  }
}

/**
 * The direct engine path a deploy is compared with: create + start `image` (port 80 published on
 * 127.0.0.1:`port`) and pass the panel's own health gate without a stabilisation window; ms, the
 * container removed again.
 */
export async function directWithGate(
  docker: Docker,
  image: string,
  name: string,
  port: number,
): Promise<number> {
  const t0 = performance.now();
  const c = await docker.createContainer({
    Image: image,
    name,
    ExposedPorts: { '80/tcp': {} },
    HostConfig: {
      Init: true,
      RestartPolicy: { Name: 'unless-stopped' },
      PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
    },
  });
  await c.start();
  await runHealthGate({
    port,
    stableMs: 0,
    log: { info: () => {} },
    containers: async () => {
      const info = await c.inspect();
      return [{ name: 'direct', state: info.State.Status, restartCount: info.RestartCount }];
    },
  });
  const ms = performance.now() - t0;
  await c.remove({ force: true });
  return ms;
}
