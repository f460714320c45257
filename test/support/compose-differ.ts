/**
 * The corpus's differ: checks that a model the panel runs differs from Compose's own resolution of
 * the user's project only by the documented panel changes (README → Compose projects), then removes
 * exactly those changes and asserts deep equality with what Compose resolved.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the panel was told to change. */
export interface PanelChangeSpec {
  service: string;
  containerPort: number;
  hostPort: number;
  projectId: string;
  projectName: string;
  bind?: string;
}

/** `docker compose config --format json` of a folder, as a plain `up` there would resolve it. */
export function composeConfig(dir: string, project: string, file?: string): Obj {
  const args = ['compose', '--project-directory', dir, '-p', project, ...(file ? ['-f', file] : [])];
  const res = spawnSync('docker', [...args, 'config', '--format', 'json'], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' },
  });
  if (res.status !== 0) throw new Error(`compose config failed in ${dir}: ${res.stderr}`);
  return JSON.parse(res.stdout) as Obj;
}

const labelsMap = (labels: unknown): Obj => (isObj(labels) ? labels : {});
const isPublicPorts = (def: unknown) =>
  isObj(def) && String(labelsMap(def.labels)['warp.public-ports'] ?? '').toLowerCase() === 'true';

/**
 * Assert `model` = `original` + the panel's changes, nothing more: name = the project name; every
 * service has warp.managed/warp.project; the proxy's entries for its container port are replaced by
 * one `<bind>:<hostPort>:<containerPort>/tcp` entry (first); every other port entry binds `<bind>`
 * (unless its service has warp.public-ports). `mask` is applied to the original first (API views).
 */
export function expectOnlyPanelChanges(original: Obj, model: Obj, spec: PanelChangeSpec): void {
  const bind = spec.bind ?? '127.0.0.1';
  const got = structuredClone(model);
  const want = structuredClone(original);
  expect(got.name).toBe(spec.projectName);
  expect(want.name).toBe(spec.projectName); // resolved under the same explicit name
  const gotServices = got.services as Record<string, Obj>;
  const wantServices = want.services as Record<string, Obj>;
  expect(Object.keys(gotServices).sort()).toEqual(Object.keys(wantServices).sort());
  for (const [name, def] of Object.entries(gotServices)) {
    const orig = wantServices[name]!;
    const labels = { ...labelsMap(def.labels) };
    expect(labels['warp.managed'], `${name} warp.managed`).toBe('true');
    expect(labels['warp.project'], `${name} warp.project`).toBe(spec.projectId);
    delete labels['warp.managed'];
    delete labels['warp.project'];
    if (Object.keys(labels).length === 0 && orig.labels === undefined) delete def.labels;
    else def.labels = labels;

    let ports = Array.isArray(def.ports) ? [...(def.ports as Obj[])] : [];
    let origPorts = Array.isArray(orig.ports) ? [...(orig.ports as Obj[])] : [];
    if (name === spec.service) {
      expect(ports[0], `${name}: the panel's entry comes first`).toEqual({
        mode: 'ingress',
        host_ip: bind,
        target: spec.containerPort,
        published: String(spec.hostPort),
        protocol: 'tcp',
      });
      ports = ports.slice(1);
      origPorts = origPorts.filter(
        (p) => !(p.target === spec.containerPort && (p.protocol ?? 'tcp') === 'tcp'),
      );
    }
    if (!isPublicPorts(orig)) {
      for (const p of ports) expect(p.host_ip, `${name}: ${JSON.stringify(p)} binds ${bind}`).toBe(bind);
      ports = ports.map(({ host_ip: _, ...rest }) => rest);
      origPorts = origPorts.map(({ host_ip: _, ...rest }) => rest);
    }
    if (ports.length > 0 || def.ports !== undefined) def.ports = ports;
    if (origPorts.length > 0 || orig.ports !== undefined) orig.ports = origPorts;
    if (orig.ports === undefined && Array.isArray(def.ports) && def.ports.length === 0) delete def.ports;
  }
  expect(got).toEqual(want);
}
