import type Docker from 'dockerode';
import type { DockerClient } from './docker-client.js';

type PortBindings = Record<string, { HostIp?: string; HostPort?: string }[] | null> | undefined;

/** Host ports in `HostConfig.PortBindings` ("8080", or a range "8000-8010"; "" means random). */
export function portsOfBindings(bindings: PortBindings): number[] {
  const ports: number[] = [];
  for (const list of Object.values(bindings ?? {})) {
    for (const b of list ?? []) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(b.HostPort ?? '');
      if (!m) continue;
      const from = Number(m[1]);
      const to = Number(m[2] ?? m[1]);
      for (let p = from; p <= to && p - from < 65536; p++) ports.push(p);
    }
  }
  return ports;
}

/**
 * A function that returns every host port a container publishes or will publish when started:
 * running containers' published ports, and every container's `HostConfig.PortBindings` (a stopped
 * container takes its ports back on start). Bindings cannot change after creation, so inspect
 * results are cached by container id and only new containers are inspected.
 */
export function publishedHostPorts(docker: DockerClient) {
  const bindingsById = new Map<string, number[]>();

  async function bindingsOf(d: Docker, id: string): Promise<number[]> {
    const cached = bindingsById.get(id);
    if (cached) return cached;
    try {
      const info = await d.getContainer(id).inspect();
      const ports = portsOfBindings(info.HostConfig?.PortBindings as PortBindings);
      bindingsById.set(id, ports);
      return ports;
    } catch {
      return []; // removed between list and inspect
    }
  }

  return async (): Promise<Set<number>> =>
    docker.call('list containers for ports', async (d) => {
      const containers = await d.listContainers({ all: true });
      const ports = new Set<number>();
      const live = new Set<string>();
      for (const c of containers) {
        live.add(c.Id);
        for (const p of c.Ports ?? []) if (p.PublicPort) ports.add(p.PublicPort);
      }
      // A few inspects at a time: enough to be quick, not enough to swamp the engine.
      const ids = [...live];
      for (let i = 0; i < ids.length; i += 8) {
        const batch = await Promise.all(ids.slice(i, i + 8).map((id) => bindingsOf(d, id)));
        for (const list of batch) for (const p of list) ports.add(p);
      }
      for (const id of bindingsById.keys()) if (!live.has(id)) bindingsById.delete(id);
      return ports;
    });
}
