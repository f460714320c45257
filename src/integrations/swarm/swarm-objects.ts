import { createHash } from 'node:crypto';
import { conflict } from '../../domain/errors.js';
import type { DockerClient } from '../docker/docker-client.js';

/** The first 12 hex characters of the SHA-256 of `data`: versions of immutable configs and secrets. */
export const contentVersion = (data: string | Buffer): string =>
  createHash('sha256').update(data).digest('hex').slice(0, 12);

interface Named {
  ID: string;
  Spec?: { Name?: string; Labels?: Record<string, string> };
}

/**
 * A Swarm config (or secret) named `name` with `data`: created unless one of that name exists.
 * Names carry a hash of the content, so an existing name means the same content (configs and
 * secrets are immutable: a change is a new object and a service update).
 */
export async function ensureObject(
  docker: DockerClient,
  kind: 'config' | 'secret',
  name: string,
  data: string | Buffer,
  labels: Record<string, string>,
): Promise<{ id: string; name: string }> {
  const list = (await docker.call(`list ${kind}s`, (d) =>
    kind === 'config'
      ? (d.listConfigs({ filters: { name: [name] } }) as Promise<unknown>)
      : (d.listSecrets({ filters: { name: [name] } }) as Promise<unknown>),
  )) as Named[];
  const found = list.find((o) => o.Spec?.Name === name);
  if (found) return { id: found.ID, name };
  const body = { Name: name, Labels: labels, Data: Buffer.from(data).toString('base64') };
  const made = (await docker.call(`create ${kind}`, (d) =>
    kind === 'config' ? d.createConfig(body) : d.createSecret(body),
  )) as { id?: string; ID?: string };
  return { id: made.id ?? made.ID ?? '', name };
}

/**
 * Removes configs (or secrets) carrying `label` except those in `keep`. One still used by a task is
 * refused by the engine and stays (it goes with a later call); resolves to the names removed.
 */
export async function pruneObjects(
  docker: DockerClient,
  kind: 'config' | 'secret',
  label: string,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const list = (await docker.call(`list ${kind}s`, (d) =>
    kind === 'config'
      ? (d.listConfigs({ filters: { label: [label] } }) as Promise<unknown>)
      : (d.listSecrets({ filters: { label: [label] } }) as Promise<unknown>),
  )) as Named[];
  const removed: string[] = [];
  for (const o of list) {
    const name = o.Spec?.Name ?? o.ID;
    if (keep.has(name)) continue;
    const ok = await docker
      .call(`remove ${kind}`, (d) => (kind === 'config' ? d.getConfig(o.ID) : d.getSecret(o.ID)).remove())
      .then(
        () => true,
        () => false,
      );
    if (ok) removed.push(name);
  }
  return removed;
}

/** The attachable overlay network `name`, created (with the panel's labels) unless it exists. */
export async function ensureOverlay(
  docker: DockerClient,
  name: string,
  labels: Record<string, string>,
): Promise<{ created: boolean }> {
  const nets = (await docker.call('list networks', (d) => d.listNetworks({ filters: { name: [name] } }))) as {
    Name: string;
    Driver: string;
    Scope: string;
  }[];
  const found = nets.find((n) => n.Name === name);
  if (found) {
    if (found.Driver !== 'overlay' || found.Scope !== 'swarm') {
      throw conflict(
        `network ${name} exists but is not a Swarm overlay network (${found.Driver}/${found.Scope})`,
      );
    }
    return { created: false };
  }
  await docker.call('create network', (d) =>
    d.createNetwork({
      Name: name,
      Driver: 'overlay',
      Attachable: true,
      Labels: labels,
      CheckDuplicate: true,
    }),
  );
  return { created: true };
}
