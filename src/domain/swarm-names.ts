import { type ErrorDetail, validationError } from './errors.js';

/**
 * Names and placement rules of Swarm objects. Swarmkit accepts a service name only when it is a DNS
 * name component (`controlapi/common.go`: `^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$`, at most 63
 * characters), because tasks find each other by that name on overlay networks.
 */

/** Swarmkit's service-name rule. */
export const SWARM_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
/** Longest service (and stack service) name. */
export const SWARM_NAME_MAX = 63;

/** True when swarmkit accepts `name` as a service name. */
export const isValidSwarmName = (name: string): boolean =>
  typeof name === 'string' && name.length <= SWARM_NAME_MAX && SWARM_NAME.test(name);

/**
 * A service name from a container-style name: lowercase, anything but letters, digits, `_` and `-`
 * becomes `-` (`my.app` → `my-app`), separators trimmed, cut to leave room for a `-NN` suffix.
 */
export function swarmServiceName(base: string): string {
  const cleaned = base
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/[-_]*$/, '')
    .replace(/^[-_]*/, '')
    .slice(0, SWARM_NAME_MAX - 4)
    .replace(/[-_]*$/, '');
  return cleaned === '' ? 'app' : cleaned;
}

/** `base`, else `base-2`, `base-3`, … — the first service name not in `taken`. */
export function nextFreeServiceName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

const LABEL_KEY = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9._:/@+-]{1,128}$/;

/**
 * Placement constraints from node labels: `{zone: "a"}` → `["node.labels.zone==a"]`. Keys and values
 * are limited to characters that cannot form another expression (no `=`, `!`, spaces or commas).
 */
export function nodeLabelConstraints(labels: Record<string, string>, field = 'constraints'): string[] {
  const problems: ErrorDetail[] = [];
  const out: string[] = [];
  const entries = Object.entries(labels);
  if (entries.length > 20) problems.push({ path: field, message: 'at most 20 constraints' });
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key)) {
      problems.push({ path: `${field}.${key}`, message: 'label name: letters, digits, ".", "_" or "-"' });
    } else if (typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      problems.push({
        path: `${field}.${key}`,
        message: 'label value: 1–128 letters, digits or ". _ : / @ + -"',
      });
    } else {
      out.push(`node.labels.${key}==${value}`);
    }
  }
  if (problems.length > 0) throw validationError('invalid placement constraints', problems);
  return out;
}

/** Resource limits of a Swarm service, as the API asks for them. */
export interface SwarmLimits {
  NanoCPUs?: number;
  MemoryBytes?: number;
}

/** `{cpus: 0.5, memoryMb: 256}` → Swarm limits; throws for values outside 0.01–256 CPUs or 6 MB–1 TB. */
export function resourceLimits(
  r: { cpus?: number | undefined; memoryMb?: number | undefined },
  field = 'resources',
): SwarmLimits {
  const problems: ErrorDetail[] = [];
  const out: SwarmLimits = {};
  if (r.cpus !== undefined) {
    if (!(Number.isFinite(r.cpus) && r.cpus >= 0.01 && r.cpus <= 256)) {
      problems.push({ path: `${field}.cpus`, message: 'cpus must be from 0.01 to 256' });
    } else out.NanoCPUs = Math.round(r.cpus * 1e9);
  }
  if (r.memoryMb !== undefined) {
    // The engine refuses limits under 6 MB ("Minimum memory limit allowed is 6MB").
    if (!(Number.isInteger(r.memoryMb) && r.memoryMb >= 6 && r.memoryMb <= 1024 * 1024)) {
      problems.push({ path: `${field}.memoryMb`, message: 'memoryMb must be an integer from 6 to 1048576' });
    } else out.MemoryBytes = r.memoryMb * 1024 * 1024;
  }
  if (problems.length > 0) throw validationError('invalid resource limits', problems);
  return out;
}

/** Most replicas one request may ask for. */
export const MAX_REPLICAS = 100;

/** Replicas of a Swarm project: an integer 1–100. */
export function parseReplicas(value: unknown, field = 'replicas'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_REPLICAS) {
    const message = `replicas must be an integer from 1 to ${MAX_REPLICAS}`;
    throw validationError(message, [{ path: field, message }]);
  }
  return value;
}
