import { parseImageReference } from '../image-reference.js';
import { type ComposeModel, isObj, labelIsTrue, portEntryOf, portsOf, servicesOf } from './compose-model.js';

/** How a new release replaces the running one. */
export type ReleaseStrategy = 'blue-green' | 'stop-start';

/** The strategy and, for stop-start, every reason two copies cannot run at once. */
export interface StrategyDecision {
  strategy: ReleaseStrategy;
  reasons: string[];
}

/** On a service: its volumes must never be opened by two copies at once (forces stop-then-start). */
export const LABEL_EXCLUSIVE = 'warp.exclusive';

/** Image names (last path component) of databases: one process per data directory. */
const DATABASES = new Set([
  'postgres',
  'postgresql',
  'postgis',
  'mysql',
  'mariadb',
  'mongo',
  'mongodb',
  'redis',
  'valkey',
  'keydb',
]);

/** The database an image runs (`postgres:16`, `docker.io/bitnami/redis`), or null. */
export function databaseOf(image: unknown): string | null {
  if (typeof image !== 'string' || image === '') return null;
  try {
    const last = parseImageReference(image).path.at(-1) ?? '';
    return DATABASES.has(last) ? last : null;
  } catch {
    return null;
  }
}

/** Named (non-anonymous) volumes a service mounts. */
function namedVolumes(def: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const v of Array.isArray(def.volumes) ? def.volumes : []) {
    if (isObj(v) && v.type === 'volume' && typeof v.source === 'string' && v.source) out.push(v.source);
    // v1's short form: `name:/path[:mode]` where name is not a path.
    if (typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.-]*:/.test(v)) out.push(v.split(':')[0]!);
  }
  return out;
}

const done = (reasons: string[]): StrategyDecision => ({
  strategy: reasons.length > 0 ? 'stop-start' : 'blue-green',
  reasons,
});

/**
 * Whether two releases of a compose project can run side by side (blue/green), judged on the model
 * the panel runs (or Compose resolved): not with a fixed `container_name`, a host port the user pinned
 * (any published port but the proxy's for its container port, which the panel picks), a service on the host's network, a database service (its data directory,
 * on a named volume or in its container, takes one server only) or a service labelled
 * `warp.exclusive: "true"`. Then the release stops the old one before it starts (stop-then-start).
 */
export function composeStrategy(
  model: ComposeModel,
  proxy: { service: string; containerPort: number },
): StrategyDecision {
  const reasons: string[] = [];
  for (const [name, raw] of Object.entries(servicesOf(model))) {
    const def = isObj(raw) ? raw : {};
    if (typeof def.container_name === 'string' && def.container_name) {
      reasons.push(
        `service ${name} sets container_name: ${def.container_name}, and two copies cannot share one name`,
      );
    }
    if (def.network_mode === 'host') {
      reasons.push(`service ${name} uses the host's network, so two copies would listen on the same ports`);
    }
    for (const p of portsOf(def)) {
      const e = portEntryOf(p);
      if (!e?.published) continue;
      // The proxy's entry for its container port is the panel's (it picks a port per release).
      const ours = name === proxy.service && e.target === proxy.containerPort && e.protocol === 'tcp';
      if (!ours) {
        reasons.push(
          `service ${name} publishes host port ${e.published}/${e.protocol}, which only one copy can bind`,
        );
      }
    }
    const db = databaseOf(def.image);
    if (db) {
      const vols = namedVolumes(def);
      reasons.push(
        vols.length > 0
          ? `service ${name} runs ${db} on the volume ${vols.join(', ')}, which one server opens at a time`
          : `service ${name} runs ${db}, whose data only a restart in the same compose project keeps`,
      );
    } else if (labelIsTrue(def, LABEL_EXCLUSIVE)) {
      reasons.push(`service ${name} is labelled ${LABEL_EXCLUSIVE}: "true"`);
    }
  }
  return done(reasons);
}

/**
 * The same judgement for a quick service: a database image (its volumes, carried from the old
 * container to the new one, take one server at a time) runs stop-then-start; anything else blue/green.
 */
export function quickStrategy(image: string): StrategyDecision {
  const db = databaseOf(image);
  return done(db ? [`the image runs ${db}, whose data directory one server opens at a time`] : []);
}
