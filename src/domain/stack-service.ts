import type { ErrorDetail } from './errors.js';

/**
 * One service of a resolved Compose model (the JSON of `docker compose config --format json`) turned
 * into what `docker stack deploy` accepts (the Docker CLI's compose file format 3.8). What Swarm
 * cannot do is refused with the reason; what it ignores or does differently is dropped or converted
 * with a warning, so the user learns it from the plan rather than from a surprise.
 */

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys copied as they are (their compose form is the stack form). */
const PASS = [
  'image',
  'command',
  'entrypoint',
  'configs',
  'secrets',
  'stop_grace_period',
  'stop_signal',
  'user',
  'working_dir',
  'hostname',
  'tty',
  'stdin_open',
  'init',
  'ulimits',
  'logging',
  'dns',
  'dns_search',
  'read_only',
  'tmpfs',
  'cap_add',
  'cap_drop',
  'sysctls',
  'isolation',
] as const;

/** Keys Swarm ignores or replaces: dropped, each with why. */
const DROPPED: Record<string, string> = {
  container_name: 'Swarm names task containers itself',
  depends_on: 'Swarm starts services in any order; make the app retry its dependencies',
  links: 'use the service name on the stack network instead',
  external_links: 'use a shared network instead',
  security_opt: 'Swarm services do not take security options',
  shm_size: 'Swarm services cannot set /dev/shm size',
  mac_address: 'Swarm assigns addresses',
  domainname: 'Swarm services do not take a domain name',
  cgroup_parent: 'Swarm services do not take a cgroup parent',
  platform: 'Swarm picks the image for each node',
  pull_policy: 'each node pulls the image when it needs it',
  env_file: 'its variables are already in environment (resolved by compose)',
  expose: 'no effect on overlay networks',
  profiles: 'compose already chose the active services',
  scale: 'use deploy.replicas',
};

/** Keys Swarm cannot honour at all: refused. */
const REFUSED: Record<string, (v: unknown) => string | null> = {
  privileged: (v) => (v === true ? 'Swarm services cannot run privileged' : null),
  devices: (v) => (Array.isArray(v) && v.length > 0 ? 'Swarm services cannot map host devices' : null),
  network_mode: (v) => (v ? `network_mode "${String(v)}" is not supported on Swarm; use networks` : null),
  pid: (v) => (v ? 'Swarm services cannot share the host PID namespace' : null),
  ipc: (v) => (v ? 'Swarm services cannot share an IPC namespace' : null),
  userns_mode: (v) => (v ? 'Swarm services cannot set the user namespace mode' : null),
  volumes_from: (v) => (Array.isArray(v) && v.length > 0 ? 'Swarm services cannot mount volumes_from' : null),
};

const RESTART: Record<string, string> = {
  no: 'none',
  always: 'any',
  'unless-stopped': 'any',
  'on-failure': 'on-failure',
};

/** What converting one service produced. */
export interface ServiceResult {
  service: Obj;
  warnings: string[];
  problems: ErrorDetail[];
}

const withoutNulls = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v != null));

/** `["a=b"]` or `{a: "b"}` as a map. */
function asMap(v: unknown): Record<string, string> {
  if (Array.isArray(v)) {
    return Object.fromEntries(
      v.map(String).map((s) => {
        const i = s.indexOf('=');
        return i === -1 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
      }),
    );
  }
  if (!isObj(v)) return {};
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x != null)
      .map(([k, x]) => [k, String(x)]),
  );
}

/** `extra_hosts` as `host:ip` lines, from compose-go's map (`{host: [ip]}`) or list (`host=ip`) forms. */
function extraHosts(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((s) => String(s).replace(/^([^:=]+)=/, '$1:'));
  if (!isObj(v)) return [];
  return Object.entries(v).flatMap(([host, ips]) =>
    (Array.isArray(ips) ? ips : [ips]).map((ip) => `${host}:${String(ip)}`),
  );
}

function healthcheck(v: unknown): Obj | undefined {
  if (!isObj(v)) return undefined;
  const keep = ['test', 'interval', 'timeout', 'retries', 'start_period', 'disable'];
  return withoutNulls(Object.fromEntries(keep.filter((k) => k in v).map((k) => [k, v[k]])));
}

/** Volumes in long syntax; bind mounts are kept with a warning (the path must exist on the node). */
function volumes(name: string, v: unknown, warnings: string[]): Obj[] {
  if (!Array.isArray(v)) return [];
  return v.map((entry) => {
    if (!isObj(entry)) return { type: 'volume', target: String(entry) };
    const out = withoutNulls({
      type: entry.type,
      source: entry.source,
      target: entry.target,
      read_only: entry.read_only,
      ...(isObj(entry.volume) && entry.volume.nocopy ? { volume: { nocopy: true } } : {}),
      ...(isObj(entry.tmpfs) && entry.tmpfs.size ? { tmpfs: { size: entry.tmpfs.size } } : {}),
    });
    if (entry.type === 'bind') {
      warnings.push(
        `${name}: the bind mount ${String(entry.source)} must exist on every node that may run ${name} (pin it with a placement constraint)`,
      );
    }
    return out;
  });
}

/** Service networks as a map of name → options (aliases kept). */
function networks(v: unknown): Obj {
  if (Array.isArray(v)) return Object.fromEntries(v.map((n) => [String(n), {}]));
  if (!isObj(v)) return { default: {} };
  return Object.fromEntries(
    Object.entries(v).map(([n, o]) => [
      n,
      isObj(o) && Array.isArray(o.aliases) ? { aliases: o.aliases.map(String) } : {},
    ]),
  );
}

/** Convert one resolved service (without `deploy`, which `stack-deploy.ts` builds). */
export function convertService(name: string, def: unknown): ServiceResult {
  const warnings: string[] = [];
  const problems: ErrorDetail[] = [];
  const s = isObj(def) ? def : {};
  const out: Obj = {};
  for (const key of PASS) if (s[key] != null) out[key] = s[key];
  const env = asMap(s.environment);
  if (Object.keys(env).length > 0) out.environment = env;
  const labels = asMap(s.labels);
  if (Object.keys(labels).length > 0) out.labels = labels;
  const hc = healthcheck(s.healthcheck);
  if (hc) out.healthcheck = hc;
  if (s.extra_hosts != null) out.extra_hosts = extraHosts(s.extra_hosts);
  const vols = volumes(name, s.volumes, warnings);
  if (vols.length > 0) out.volumes = vols;
  out.networks = networks(s.networks);
  for (const [key, why] of Object.entries(REFUSED)) {
    const reason = why(s[key]);
    if (reason) problems.push({ path: `services.${name}.${key}`, message: reason });
  }
  const handled = new Set<string>([
    ...PASS,
    ...Object.keys(REFUSED),
    'environment',
    'labels',
    'healthcheck',
    'extra_hosts',
    'volumes',
    'networks',
    'deploy',
    'build',
    'ports',
    'restart',
  ]);
  for (const key of Object.keys(s)) {
    if (handled.has(key) || key.startsWith('x-') || s[key] == null) continue;
    const why = DROPPED[key] ?? 'not part of what docker stack deploy accepts';
    warnings.push(`${name}: ${key} is ignored on Swarm (${why})`);
  }
  if (Array.isArray(s.ports) && s.ports.length > 0) {
    warnings.push(
      `${name}: its ports are not published on Swarm; the tunnel reaches the app over the overlay network`,
    );
  }
  return { service: out, warnings, problems };
}

/** `restart:` as a Swarm restart condition (`unless-stopped` → `any`), or null when unset. */
export const restartCondition = (restart: unknown): string | null =>
  typeof restart === 'string' ? (RESTART[restart] ?? null) : null;
