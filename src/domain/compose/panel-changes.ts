import { validationError } from '../errors.js';
import { parsePort } from '../port-range.js';
import {
  type ComposeModel,
  isObj,
  LABEL_MANAGED,
  LABEL_PROJECT,
  LABEL_PUBLIC_PORTS,
  labelIsTrue,
  portEntryOf,
  servicesOf,
} from './compose-model.js';

/** What the panel changes in a resolved model (README → Compose projects lists the same). */
export interface PanelChanges {
  service: string;
  containerPort: number;
  hostPort: number;
  /** Host address published ports bind to (the setting `ports.bindAddress`, `127.0.0.1` by default). */
  bindAddress: string;
  projectId: string;
  /** The explicit compose project name, `warp-<slug>`. */
  projectName: string;
  /** Compose major version the model is written for: v1 knows neither `name:` nor `host_ip`. */
  composeMajor: 1 | 2;
}

type Obj = Record<string, unknown>;

const bracketed = (ip: string) => (ip.includes(':') ? `[${ip}]` : ip);

/** A v1 short port string with its host address replaced. */
function shortWithIp(entry: string, bind: string): string {
  const rest = entry.trim().replace(/^(\[[0-9a-fA-F:.]+\]|[0-9.]+):(?=[^:]*:|\d+$)/, '');
  return rest.includes(':') ? `${bracketed(bind)}:${rest}` : `${bracketed(bind)}::${rest}`;
}

/** One entry bound to `bind`, in the form the Compose version reads. */
function rebind(entry: unknown, bind: string, major: 1 | 2): unknown {
  if (major === 2 && isObj(entry)) return { ...entry, host_ip: bind };
  if (typeof entry === 'string' || typeof entry === 'number') return shortWithIp(String(entry), bind);
  const e = portEntryOf(entry);
  if (!e) return entry;
  return `${bracketed(bind)}:${e.published ?? ''}:${e.target}/${e.protocol}`;
}

const describe = (entry: unknown): string => {
  const e = portEntryOf(entry);
  if (!e) return JSON.stringify(entry);
  return `${e.hostIp ? `${bracketed(e.hostIp)}:` : ''}${e.published ? `${e.published}:` : ''}${e.target}/${e.protocol}`;
};

function withLabels(def: Obj, projectId: string): unknown {
  const ours = { [LABEL_MANAGED]: 'true', [LABEL_PROJECT]: projectId };
  if (Array.isArray(def.labels)) {
    const kept = def.labels.filter((l) => !/^warp\.(managed|project)(=|$)/.test(String(l)));
    return [...kept, ...Object.entries(ours).map(([k, v]) => `${k}=${v}`)];
  }
  return { ...(isObj(def.labels) ? def.labels : {}), ...ours };
}

/**
 * The panel's changes, applied to a copy of Compose's resolved model (the input is not modified):
 * the proxy service's entries for its container port become the one entry
 * `<bind>:<hostPort>:<containerPort>/tcp`; every other published port binds `<bind>` (unless its
 * service carries `warp.public-ports: "true"`); every service gets `warp.managed` and `warp.project`;
 * `name` is the explicit project name (v2) or absent (v1). Every other value stays as resolved.
 * Returns the model and one warning per port whose binding or number changed.
 */
export function applyPanelChanges(
  model: ComposeModel,
  c: PanelChanges,
): { model: ComposeModel; warnings: string[] } {
  const services = servicesOf(model);
  if (!(c.service in services)) {
    throw validationError(`service ${c.service} is not in the compose project`, [
      { path: 'service', message: `no service ${c.service}` },
    ]);
  }
  const hostPort = parsePort(c.hostPort, 'hostPort');
  const containerPort = parsePort(c.containerPort, 'containerPort');
  if (!/^[0-9A-Fa-f.:]+$/.test(c.bindAddress)) {
    throw validationError('bind address must be an IP address', [
      { path: 'bindAddress', message: 'not an IP address' },
    ]);
  }
  const bind = c.bindAddress;
  const warnings: string[] = [];
  const rebindOne = (name: string, p: unknown): unknown => {
    const e = portEntryOf(p);
    if (e?.hostIp !== bind) {
      const was = e?.hostIp ? bracketed(e.hostIp) : 'all interfaces';
      warnings.push(
        `${name}: ${describe(p)} binds ${bind} instead of ${was} (label ${name} with ${LABEL_PUBLIC_PORTS}: "true" to keep it)`,
      );
    }
    return rebind(p, bind, c.composeMajor);
  };
  const copy = structuredClone(model) as Obj;
  const out: Obj = {};
  for (const [name, raw] of Object.entries(servicesOf(copy))) {
    const def: Obj = isObj(raw) ? { ...raw } : {};
    def.labels = withLabels(def, c.projectId);
    const keep = labelIsTrue(raw, LABEL_PUBLIC_PORTS);
    const ports = Array.isArray(def.ports) ? def.ports : [];
    const others = keep ? (p: unknown) => p : (p: unknown) => rebindOne(name, p);
    if (name === c.service) {
      const isOurs = (p: unknown) => {
        const e = portEntryOf(p);
        return e !== null && e.target === containerPort && e.protocol === 'tcp';
      };
      const ours =
        c.composeMajor === 2
          ? {
              mode: 'ingress',
              host_ip: bind,
              target: containerPort,
              published: String(hostPort),
              protocol: 'tcp',
            }
          : `${bracketed(bind)}:${hostPort}:${containerPort}/tcp`;
      for (const p of ports.filter(isOurs)) {
        warnings.push(`${name}: ${describe(p)} is replaced by the panel's ${describe(ours)}`);
      }
      def.ports = [ours, ...ports.filter((p) => !isOurs(p)).map(others)];
    } else if (ports.length > 0) {
      def.ports = ports.map(others);
    }
    out[name] = def;
  }

  const result: Obj = { ...copy, services: out };
  if (c.composeMajor === 2) result.name = c.projectName;
  else delete result.name;
  return { model: result, warnings };
}
