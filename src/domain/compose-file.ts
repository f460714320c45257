import { validationError } from './errors.js';
import { isValidPort, parsePort } from './port-range.js';

/**
 * Pure analysis and patching of a parsed compose file (the object `yaml` gives for it). Finds the
 * proxy service a route points at and writes the copy the panel runs (the user's file is untouched).
 */

/** File names a compose project may use, in lookup order (first found wins). */
export const COMPOSE_FILE_NAMES = [
  'compose.yaml',
  'compose.yml',
  'docker-compose.yaml',
  'docker-compose.yml',
] as const;

/** The service a route points at and the port it listens on inside its container. */
export interface ProxyService {
  service: string;
  containerPort: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const MARK_HINT =
  'add `labels: { warp.proxy: "true" }` to the service to publish (and `warp.port` if it has no ports)';
const fail = (path: string, message: string) => validationError(message, [{ path, message }]);

function servicesOf(compose: unknown): Obj {
  if (!isObj(compose) || !isObj(compose.services) || Object.keys(compose.services).length === 0) {
    throw fail('services', 'the compose file has no services');
  }
  return compose.services;
}

/** A service's labels as a map; compose allows a map or a list of `key=value` strings. */
export function labelsOf(service: unknown): Record<string, string> {
  const labels = isObj(service) ? service.labels : undefined;
  if (Array.isArray(labels)) {
    return Object.fromEntries(
      labels
        .map((l) => String(l))
        .map((l) => (l.includes('=') ? [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] : [l, ''])),
    );
  }
  if (!isObj(labels)) return {};
  return Object.fromEntries(
    Object.entries(labels).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]),
  );
}

/**
 * Container port of one `ports` entry: short syntax `"80"`, `"8080:80"`, `"127.0.0.1:8080:80/tcp"`,
 * `"[::1]:8080:80"`, ranges (first port of the container range), or long syntax `{ target }`.
 * Null when it cannot be read (e.g. `${VAR}` interpolation).
 */
export function containerPortOf(entry: unknown): number | null {
  if (isObj(entry)) return portOrNull(entry.target);
  if (typeof entry !== 'string' && typeof entry !== 'number') return null;
  const spec = String(entry).split('/')[0] ?? '';
  const target = spec.slice(spec.lastIndexOf(':') + 1);
  return portOrNull(target.split('-')[0]);
}

function portOrNull(v: unknown): number | null {
  const n = typeof v === 'string' && /^\d{1,5}$/.test(v) ? Number(v) : v;
  return isValidPort(n) ? n : null;
}

const publishes = (service: unknown): boolean =>
  isObj(service) && Array.isArray(service.ports) && service.ports.length > 0;

/**
 * The proxy service: the one labelled `warp.proxy: "true"`, else the only service that publishes a
 * port. Its container port is the `warp.port` label, else the target of its first `ports` entry.
 * Anything else is a validation error that tells the user how to mark the service.
 */
export function findProxyService(compose: unknown, chosen?: string | null): ProxyService {
  const services = servicesOf(compose);
  const names = Object.keys(services);
  if (chosen && !names.includes(chosen)) {
    throw fail('service', `the compose file has no service ${chosen} (it has ${names.join(', ') || 'none'})`);
  }
  const labelled = names.filter((n) => labelsOf(services[n])['warp.proxy']?.toLowerCase() === 'true');
  if (labelled.length > 1) {
    throw fail(
      'services',
      `several services are labelled warp.proxy (${labelled.join(', ')}); keep exactly one`,
    );
  }
  let service = chosen || labelled[0];
  if (service === undefined) {
    const publishing = names.filter((n) => publishes(services[n]));
    if (publishing.length !== 1) {
      const why =
        publishing.length === 0
          ? 'no service publishes a port'
          : `${publishing.join(', ')} all publish ports`;
      throw fail('services', `cannot tell which service to publish: ${why}; ${MARK_HINT}`);
    }
    service = publishing[0] as string;
  }
  const def = services[service];
  const label = labelsOf(def)['warp.port'];
  if (label !== undefined)
    return { service, containerPort: parsePort(label, `services.${service}.labels.warp.port`) };
  const first = publishes(def) ? containerPortOf((def as { ports: unknown[] }).ports[0]) : null;
  if (first === null) {
    throw fail(
      `services.${service}`,
      `cannot tell which port ${service} listens on; add the label warp.port: "<port>"`,
    );
  }
  return { service, containerPort: first };
}

/** What `patchCompose` changes. */
export interface ComposePatch {
  service: string;
  hostPort: number;
  containerPort: number;
  /** Host address the port binds to; `127.0.0.1` keeps the app reachable only through the tunnel. */
  bindAddress: string;
  projectId: string;
}

/** Sets the panel's labels on a service, keeping the labels' map or list form. */
function withLabels(service: Obj, projectId: string): Obj {
  const ours = { 'warp.managed': 'true', 'warp.project': projectId };
  if (Array.isArray(service.labels)) {
    const kept = service.labels.filter((l) => !/^warp\.(managed|project)(=|$)/.test(String(l)));
    return { ...service, labels: [...kept, ...Object.entries(ours).map(([k, v]) => `${k}=${v}`)] };
  }
  return { ...service, labels: { ...(isObj(service.labels) ? service.labels : {}), ...ours } };
}

/**
 * A patched copy (the input is not modified): the proxy service's `ports` become exactly
 * `["<bind>:<hostPort>:<containerPort>"]`; every service gets the labels `warp.managed=true` and
 * `warp.project=<id>`. Other services are otherwise untouched, including ports they publish.
 */
export function patchCompose(compose: unknown, patch: ComposePatch): Obj {
  const services = servicesOf(compose);
  if (!(patch.service in services))
    throw fail('service', `service ${patch.service} is not in the compose file`);
  const hostPort = parsePort(patch.hostPort, 'hostPort');
  const containerPort = parsePort(patch.containerPort, 'containerPort');
  if (!/^[0-9A-Za-z.:]+$/.test(patch.bindAddress))
    throw fail('bindAddress', 'bind address must be an IP address');
  if (patch.projectId === '') throw fail('projectId', 'project id is empty');
  const bind = patch.bindAddress.includes(':') ? `[${patch.bindAddress}]` : patch.bindAddress;
  const copy = structuredClone(compose) as Obj;
  const patched: Obj = {};
  for (const [name, def] of Object.entries(copy.services as Obj)) {
    const service = withLabels(isObj(def) ? def : {}, patch.projectId);
    if (name === patch.service) service.ports = [`${bind}:${hostPort}:${containerPort}`];
    patched[name] = service;
  }
  return { ...copy, services: patched };
}
