import { type ErrorDetail, validationError } from './errors.js';
import { parseImageReference } from './image-reference.js';
import { convertService, isObj, restartCondition } from './stack-service.js';
import { isValidSwarmName } from './swarm-names.js';

/**
 * A resolved Compose model → the stack file `docker stack deploy -c <file>` runs. The input is the
 * model compose itself resolved (includes, extends, profiles, interpolation), so the stack runs what
 * the single-host deploy would run, minus what Swarm does differently (see `stack-service.ts`).
 */

type Obj = Record<string, unknown>;

/** What the stack must carry besides the user's model. */
export interface StackOptions {
  /** The stack name (`warp-<slug>`); services become `<stack>_<service>`. */
  stack: string;
  projectId: string;
  /** The service the route points at. */
  proxyService: string;
  /** The shared overlay network cloudflared reaches published services on. */
  network: string;
  endpointMode: 'vip' | 'dnsrr';
  /** Replicas of the proxy service. */
  replicas: number;
  /** Rolling update pacing (Go durations, e.g. `5s`). */
  update: { delay: string; monitor: string };
}

/** The stack file, what the deploy must do before it (images to build and push) and what it changes. */
export interface StackPlan {
  model: Obj;
  warnings: string[];
  /** Services with `build:` whose image names a registry: built and pushed before the deploy. */
  builds: { service: string; image: string }[];
  /** The proxy service's name on the overlay (`<stack>_<service>`). */
  proxyHost: string;
}

/**
 * Whether an image names a repository one can push to: a registry host (`registry.lan:5000/app`) or
 * a Docker Hub namespace (`acme/app`) — not an official-image name (`web` is `library/web`).
 */
export function pushable(image: string): boolean {
  try {
    const ref = parseImageReference(image);
    return ref.domain !== null || ref.path[0] !== 'library';
  } catch {
    return false;
  }
}

const buildProblem = (name: string): ErrorDetail => ({
  path: `services.${name}.build`,
  message: `Swarm cannot build images: every node pulls ${name}'s image from a registry. Set image: <registry>/<name>:<tag> (or a Docker Hub <namespace>/<name>) so the panel builds and pushes it there, or push it yourself and remove build:`,
});

/**
 * What a compose file (as written, before compose resolves it) asks that no stack can do: `build:`
 * without an image to push to, `privileged`, host devices, `network_mode`… Checked when the deploy is
 * requested, so the refusal comes at once (the job checks the resolved model again).
 */
export function composeSwarmProblems(compose: unknown): ErrorDetail[] {
  const services = isObj(compose) && isObj(compose.services) ? compose.services : {};
  const problems: ErrorDetail[] = [];
  for (const [name, def] of Object.entries(services)) {
    if (!isObj(def)) continue;
    problems.push(...convertService(name, def).problems);
    if (def.build == null) continue;
    const image = typeof def.image === 'string' ? def.image : null;
    // An interpolated image (`${REGISTRY}/app`) is judged after compose resolved it.
    if (image?.includes('$') || (image && pushable(image))) continue;
    problems.push(buildProblem(name));
  }
  return problems;
}

const LABELS = (projectId: string) => ({ 'warp.managed': 'true', 'warp.project': projectId });

/** A Go duration from compose's JSON (a string as is; a number taken as nanoseconds). */
const duration = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? `${Math.round(v / 1e6)}ms` : undefined;

const compact = (o: Obj): Obj =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

function pacing(user: unknown, defaults: Obj): Obj {
  const u = isObj(user) ? user : {};
  return compact({
    parallelism: u.parallelism ?? defaults.parallelism,
    delay: duration(u.delay) ?? defaults.delay,
    failure_action: u.failure_action ?? defaults.failure_action,
    monitor: duration(u.monitor) ?? defaults.monitor,
    max_failure_ratio: u.max_failure_ratio,
    order: u.order ?? defaults.order,
  });
}

function resources(v: unknown): Obj | undefined {
  if (!isObj(v)) return undefined;
  const side = (r: unknown) =>
    isObj(r)
      ? compact({
          cpus: r.cpus != null ? String(r.cpus) : undefined,
          memory: r.memory != null ? String(r.memory) : undefined,
        })
      : undefined;
  const out = compact({ limits: side(v.limits), reservations: side(v.reservations) });
  return Object.keys(out).length > 0 ? out : undefined;
}

function placement(v: unknown): Obj | undefined {
  if (!isObj(v)) return undefined;
  const out = compact({
    constraints: Array.isArray(v.constraints) ? v.constraints.map(String) : undefined,
    preferences: Array.isArray(v.preferences) ? v.preferences : undefined,
    max_replicas_per_node: v.max_replicas_per_node,
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

function deployOf(name: string, def: Obj, opts: StackOptions): Obj {
  const d = isObj(def.deploy) ? def.deploy : {};
  const proxy = name === opts.proxyService;
  const restart = isObj(d.restart_policy)
    ? compact({
        ...d.restart_policy,
        delay: duration(d.restart_policy.delay),
        window: duration(d.restart_policy.window),
      })
    : { condition: restartCondition(def.restart) ?? 'any', delay: '5s' };
  const update = { parallelism: 1, order: 'start-first', failure_action: 'rollback', ...opts.update };
  return compact({
    mode: d.mode === 'global' ? 'global' : undefined,
    replicas: d.mode === 'global' ? undefined : proxy ? opts.replicas : (d.replicas ?? def.scale ?? 1),
    endpoint_mode: d.endpoint_mode ?? opts.endpointMode,
    labels: { ...(isObj(d.labels) ? d.labels : {}), ...LABELS(opts.projectId) },
    update_config: pacing(d.update_config, update),
    rollback_config: pacing(d.rollback_config, { parallelism: 1, order: 'start-first', ...opts.update }),
    restart_policy: restart,
    resources: resources(d.resources),
    placement: placement(d.placement),
  });
}

/** Top-level networks/volumes: names compose derived from the project are left to the stack to derive. */
function topLevel(kind: 'networks' | 'volumes', v: unknown, stack: string, warnings: string[]): Obj {
  if (!isObj(v)) return {};
  const out: Obj = {};
  for (const [key, raw] of Object.entries(v)) {
    const def = isObj(raw) ? raw : {};
    const name = typeof def.name === 'string' && def.name !== `${stack}_${key}` ? def.name : undefined;
    if (def.external === true || isObj(def.external)) {
      out[key] = { external: true, name: name ?? def.name ?? key };
      continue;
    }
    const entry: Obj = compact({ name, driver_opts: def.driver_opts, labels: def.labels });
    if (kind === 'networks') {
      const driver = typeof def.driver === 'string' ? def.driver : undefined;
      if (driver === 'bridge') warnings.push(`network ${key}: the bridge driver becomes overlay on Swarm`);
      entry.driver = driver && driver !== 'bridge' ? driver : 'overlay';
      if (def.attachable != null) entry.attachable = def.attachable;
      if (def.internal != null) entry.internal = def.internal;
      if (isObj(def.ipam) && Array.isArray(def.ipam.config) && def.ipam.config.length > 0)
        entry.ipam = def.ipam;
    } else if (typeof def.driver === 'string') {
      entry.driver = def.driver;
    }
    out[key] = entry;
  }
  return out;
}

/** Top-level configs/secrets: file-based or external (what the stack file format has). */
function objects(kind: 'configs' | 'secrets', v: unknown, problems: ErrorDetail[]): Obj {
  if (!isObj(v)) return {};
  const out: Obj = {};
  for (const [key, raw] of Object.entries(v)) {
    const def = isObj(raw) ? raw : {};
    if (def.external === true || isObj(def.external)) out[key] = { external: true, name: def.name ?? key };
    else if (typeof def.file === 'string')
      out[key] = compact({ file: def.file, name: def.name, labels: def.labels });
    else {
      problems.push({
        path: `${kind}.${key}`,
        message: `${kind} on Swarm come from a file or are external; ${key} has neither`,
      });
    }
  }
  return out;
}

/** Build the stack file; throws one validation error listing everything Swarm cannot do. */
export function toStackModel(compose: unknown, opts: StackOptions): StackPlan {
  const problems: ErrorDetail[] = [];
  const warnings: string[] = [];
  const builds: StackPlan['builds'] = [];
  const src = isObj(compose) ? compose : {};
  const services = isObj(src.services) ? src.services : {};
  if (!(opts.proxyService in services)) {
    throw validationError('the proxy service is not in the model', [
      { path: 'services', message: `service ${opts.proxyService} is not in the resolved model` },
    ]);
  }
  const networks = topLevel('networks', src.networks, opts.stack, warnings);
  if (opts.network in networks) {
    problems.push({ path: `networks.${opts.network}`, message: `the name ${opts.network} is the panel's` });
  }
  networks[opts.network] = { external: true, name: opts.network };
  const out: Obj = {};
  for (const [name, raw] of Object.entries(services)) {
    const def = isObj(raw) ? raw : {};
    if (!isValidSwarmName(`${opts.stack}_${name}`)) {
      problems.push({
        path: `services.${name}`,
        message: `${opts.stack}_${name} is not a valid Swarm service name (letters, digits, "-" and "_", at most 63)`,
      });
    }
    if (def.build != null) {
      const image = typeof def.image === 'string' ? def.image : null;
      if (image && pushable(image)) builds.push({ service: name, image });
      else {
        problems.push(buildProblem(name));
      }
    } else if (typeof def.image !== 'string') {
      problems.push({ path: `services.${name}.image`, message: `${name} needs an image on Swarm` });
    }
    const converted = convertService(name, def);
    problems.push(...converted.problems);
    warnings.push(...converted.warnings);
    const service = converted.service;
    service.labels = { ...(isObj(service.labels) ? service.labels : {}), ...LABELS(opts.projectId) };
    if (name === opts.proxyService) {
      service.networks = { ...(service.networks as Obj), [opts.network]: {} };
    }
    service.deploy = deployOf(name, def, opts);
    out[name] = service;
  }
  if (problems.length > 0) throw validationError('this compose project cannot run on Swarm', problems);
  const model: Obj = { version: '3.8', services: out, networks };
  const volumes = topLevel('volumes', src.volumes, opts.stack, warnings);
  if (Object.keys(volumes).length > 0) {
    model.volumes = volumes;
    warnings.push(
      'named volumes are local to each node: a task moved to another node starts with an empty volume',
    );
  }
  const configs = objects('configs', src.configs, problems);
  const secrets = objects('secrets', src.secrets, problems);
  if (problems.length > 0) throw validationError('this compose project cannot run on Swarm', problems);
  if (Object.keys(configs).length > 0) model.configs = configs;
  if (Object.keys(secrets).length > 0) model.secrets = secrets;
  return { model, warnings, builds, proxyHost: `${opts.stack}_${opts.proxyService}` };
}
