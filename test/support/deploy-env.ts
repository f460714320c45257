import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { expect } from 'vitest';
import { importBusyboxImage, TEST_LABEL } from './docker.js';
import { waitForJob } from './job-helpers.js';
import type { TestApp } from './test-app.js';

/** An image whose default command serves HTTP on port 80 (busybox httpd), built locally. */
export const WEB_IMAGE = 'warp-test/web:latest';
/** An image whose default command exits at once (for a failing health gate). */
export const CRASH_IMAGE = 'warp-test/crash:latest';

/** Build the deploy test images (idempotent). */
export async function ensureDeployImages(docker: Docker): Promise<void> {
  await importBusyboxImage(docker, WEB_IMAGE, [
    'ENV PATH=/bin',
    'WORKDIR /tmp',
    'CMD ["httpd", "-f", "-v", "-p", "80", "-h", "/tmp"]',
  ]);
  await importBusyboxImage(docker, CRASH_IMAGE, [
    'ENV PATH=/bin',
    'CMD ["sh", "-c", "echo crashing on purpose; exit 3"]',
  ]);
}

/** Paths of the fake executables. */
export const FAKE_CLOUDFLARED = path.resolve('test/fakes/cloudflared');
export const FAKE_SYSTEMCTL = path.resolve('test/fakes/systemctl');

/** Env for a test app that publishes through the fake cloudflared into a config.yml in its data dir. */
export function deployEnv(portRange: string): Record<string, string> {
  return {
    WARP_CLOUDFLARED_BIN: FAKE_CLOUDFLARED,
    WARP_SYSTEMCTL_BIN: FAKE_SYSTEMCTL,
    WARP_BASE_DOMAIN: 'example.test',
    WARP_TUNNEL_NAME: 'home',
    WARP_TUNNEL_RESTART: 'none',
    WARP_PORT_RANGE: portRange,
  };
}

/** Write the initial cloudflared config (with a foreign rule) for a test app. */
export function writeTunnelConfig(t: TestApp): string {
  const file = path.join(t.dataDir, 'cloudflared', 'config.yml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    [
      'tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef',
      'credentials-file: /etc/cloudflared/6ff42ae2.json',
      '# hand-written rules below',
      'ingress:',
      '  - hostname: nas.example.test',
      '    service: http://192.168.1.10:5000',
      '  - service: http_status:404',
      '',
    ].join('\n'),
  );
  return file;
}

/** The job's log text. */
export async function jobLog(t: TestApp, headers: Record<string, string>, id: string): Promise<string> {
  const res = await t.app.http.inject({ url: `/api/v1/jobs/${id}/logs`, headers });
  return res
    .json()
    .lines.map((l: { text: string }) => l.text)
    .join('\n');
}

/** A request that queued a job (202): wait for the job and expect it to succeed (its log is the message). */
export async function expectJobSucceeded(
  t: TestApp,
  headers: Record<string, string>,
  res: { statusCode: number; body: string; json(): { job: { id: string } } },
  timeoutMs?: number,
) {
  expect(res.statusCode, res.body).toBe(202);
  const job = await waitForJob(t, headers, res.json().job.id, timeoutMs);
  expect(job.status, await jobLog(t, headers, job.id)).toBe('succeeded');
  return job;
}

/** Remove every container of the given panel projects (by label), for cleanup. */
export async function removeProjectContainers(docker: Docker, projectIds: string[]): Promise<void> {
  for (const id of projectIds) {
    const list = await docker.listContainers({ all: true, filters: { label: [`warp.project=${id}`] } });
    await forceRemove(docker, list);
  }
}

/** Remove containers with their anonymous volumes, whatever state they are in (cleanup). */
async function forceRemove(docker: Docker, list: Docker.ContainerInfo[]): Promise<void> {
  await Promise.all(
    list.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => {}),
    ),
  );
}

export { TEST_LABEL };

/** Remove the containers and networks of compose projects (Compose labels both), for cleanup. */
export async function removeComposeProjects(docker: Docker, names: string[]): Promise<void> {
  if (names.length === 0) return;
  // A project's later releases run as `<name>_<n>` (blue/green): those go too.
  const ofOurs = (p: string) => names.some((n) => p === n || p.startsWith(`${n}_`));
  const list = (
    await docker.listContainers({ all: true, filters: { label: ['com.docker.compose.project'] } })
  ).filter((c) => ofOurs(c.Labels['com.docker.compose.project'] ?? ''));
  await forceRemove(docker, list);
  const networks = await docker.listNetworks({ filters: { label: ['com.docker.compose.project'] } });
  for (const n of networks.filter((n) => ofOurs(n.Labels?.['com.docker.compose.project'] ?? ''))) {
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => {});
  }
}
