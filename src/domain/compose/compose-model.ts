/**
 * The Compose model as Compose resolves it (`docker compose config --format json`, or v1's `config`
 * parsed into the same JSON shape): typed loosely, because the panel reads only a few fields and must
 * carry every other value through untouched.
 */

/** A resolved Compose model: top-level `name`, `services`, `networks`, `volumes`, `secrets`, … */
export type ComposeModel = Record<string, unknown>;

/** File names a plain `docker compose up` looks for in a folder (one of them must exist). */
export const COMPOSE_FILE_NAMES = [
  'compose.yaml',
  'compose.yml',
  'docker-compose.yaml',
  'docker-compose.yml',
] as const;

/** The labels the panel puts on every service. */
export const LABEL_MANAGED = 'warp.managed';
export const LABEL_PROJECT = 'warp.project';
/** Marks the service a route points at; `warp.port` names its container port. */
export const LABEL_PROXY = 'warp.proxy';
export const LABEL_PORT = 'warp.port';
/** On a service: keep its published ports' host addresses as Compose resolved them. */
export const LABEL_PUBLIC_PORTS = 'warp.public-ports';

type Obj = Record<string, unknown>;

/** True for a plain object (not an array, not null). */
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The model's services (an empty object when it has none). */
export const servicesOf = (model: unknown): Obj =>
  isObj(model) && isObj(model.services) ? model.services : {};

/** A service's labels as a map; Compose allows a map or a list of `key=value` strings. */
export function labelsOf(service: unknown): Record<string, string> {
  const labels = isObj(service) ? service.labels : undefined;
  if (Array.isArray(labels)) {
    return Object.fromEntries(
      labels.map((l) => {
        const s = String(l);
        const eq = s.indexOf('=');
        return eq < 0 ? [s, ''] : [s.slice(0, eq), s.slice(eq + 1)];
      }),
    );
  }
  if (!isObj(labels)) return {};
  return Object.fromEntries(
    Object.entries(labels).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]),
  );
}

/** True when the label is set to "true" (any case). */
export const labelIsTrue = (service: unknown, key: string): boolean =>
  labelsOf(service)[key]?.trim().toLowerCase() === 'true';

/** One `ports` entry read from the long form (v2) or the short string form (v1). */
export interface PortEntry {
  target: number;
  protocol: string;
  hostIp: string | null;
  published: string | null;
}

const SHORT_PORT = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):)?(?:(\d*(?:-\d+)?):)?(\d+)(?:-\d+)?(?:\/(\w+))?$/;

/** Reads a `ports` entry; null when it is not one Compose could have produced. */
export function portEntryOf(entry: unknown): PortEntry | null {
  if (isObj(entry)) {
    const target = Number(entry.target);
    if (!Number.isInteger(target) || target < 1 || target > 65535) return null;
    const published = entry.published;
    return {
      target,
      protocol: typeof entry.protocol === 'string' && entry.protocol ? entry.protocol.toLowerCase() : 'tcp',
      hostIp: typeof entry.host_ip === 'string' && entry.host_ip ? entry.host_ip : null,
      published: published === undefined || published === null || published === '' ? null : String(published),
    };
  }
  if (typeof entry !== 'string' && typeof entry !== 'number') return null;
  const m = SHORT_PORT.exec(String(entry).trim());
  if (!m) return null;
  const target = Number(m[4]);
  if (target < 1 || target > 65535) return null;
  return {
    target,
    protocol: (m[5] ?? 'tcp').toLowerCase(),
    hostIp: m[1] ?? m[2] ?? null,
    published: m[3] ? m[3] : null,
  };
}

/** A service's `ports` list as Compose resolved it. */
export const portsOf = (service: unknown): unknown[] =>
  isObj(service) && Array.isArray(service.ports) ? service.ports : [];

/** The profiles a service is listed under (empty: always active). */
export const profilesOf = (service: unknown): string[] =>
  isObj(service) && Array.isArray(service.profiles) ? service.profiles.map(String) : [];

/** Every profile the model's services use, sorted (the ones `up` must enable to run them all). */
export function profilesUsed(model: unknown): string[] {
  const all = new Set<string>();
  for (const def of Object.values(servicesOf(model))) for (const p of profilesOf(def)) all.add(p);
  return [...all].sort();
}
