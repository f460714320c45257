import { readFile } from 'node:fs/promises';

const CONTAINER_ID = /[0-9a-f]{64}/;

/**
 * The id of the Docker container this process runs in, or null on the host. Docker bind-mounts the
 * container's own `hostname`/`hosts` files from `/var/lib/docker/containers/<id>/`, which
 * `/proc/self/mountinfo` shows; cgroup v1 paths (`/docker/<id>`) are the fallback.
 */
export async function detectSelfContainerId(): Promise<string | null> {
  for (const file of ['/proc/self/mountinfo', '/proc/self/cgroup']) {
    try {
      const text = await readFile(file, 'utf8');
      for (const line of text.split('\n')) {
        if (!/\/containers\/[0-9a-f]{64}\/|\/docker[/-][0-9a-f]{64}/.test(line)) continue;
        const id = line.match(CONTAINER_ID)?.[0];
        if (id) return id;
      }
    } catch {
      // not Linux, or /proc not mounted: not in a container as far as we can tell
    }
  }
  return null;
}
