import { validationError } from '../errors.js';
import { parsePort } from '../port-range.js';
import {
  type ComposeModel,
  isObj,
  LABEL_PORT,
  LABEL_PROXY,
  labelIsTrue,
  labelsOf,
  portEntryOf,
  portsOf,
  profilesOf,
  servicesOf,
} from './compose-model.js';

/** The service a route points at and the TCP port it listens on inside its container. */
export interface ProxyService {
  service: string;
  containerPort: number;
}

const MARK_HINT =
  'add `labels: { warp.proxy: "true" }` to the service to publish (and `warp.port: "<port>"` if it publishes none)';
const refuse = (path: string, message: string) => validationError(message, [{ path, message }]);

const publishes = (def: unknown) => portsOf(def).length > 0;

/** Services of `all` that the active model does not run (they sit in profiles no one enabled). */
function inactiveServices(active: ComposeModel, all: ComposeModel | null): [string, unknown][] {
  const running = servicesOf(active);
  return Object.entries(servicesOf(all)).filter(([name]) => !(name in running));
}

function inactiveRefusal(name: string, def: unknown) {
  const profiles = profilesOf(def);
  const list = profiles.join(', ') || 'a profile';
  return refuse(
    `services.${name}`,
    `service ${name} is only in the profile ${list}, which a plain \`docker compose up\` does not start; ` +
      `enable it (COMPOSE_PROFILES=${profiles[0] ?? '<profile>'} in the project's .env) or remove \`profiles\` from ${name}`,
  );
}

/**
 * The proxy service of a resolved model: the one labelled `warp.proxy: "true"`, else the only service
 * that publishes a port. `all` is the model with every profile enabled, so a proxy that sits only in an
 * inactive profile is named as such. Refusals (400) name the service and say what to change.
 */
export function findProxyService(
  active: ComposeModel,
  all: ComposeModel | null = null,
  /** The service the user chose (PATCH `service`): it must be active and publishable. */
  chosen?: string,
): ProxyService {
  const services = servicesOf(active);
  const names = Object.keys(services);
  const inactive = inactiveServices(active, all);
  if (chosen !== undefined) {
    const hidden = inactive.find(([n]) => n === chosen);
    if (hidden) throw inactiveRefusal(hidden[0], hidden[1]);
    if (!(chosen in services)) {
      throw refuse('service', `the compose file has no service ${chosen} (it has ${names.join(', ')})`);
    }
    checkNetworkMode(chosen, services[chosen]);
    return { service: chosen, containerPort: containerPortOf(chosen, services[chosen]) };
  }
  if (names.length === 0) {
    const [first] = inactive;
    if (first) throw inactiveRefusal(first[0], first[1]);
    throw refuse('services', 'the compose project has no services');
  }
  const labelled = names.filter((n) => labelIsTrue(services[n], LABEL_PROXY));
  if (labelled.length > 1) {
    throw refuse(
      'services',
      `several services are labelled warp.proxy (${labelled.join(', ')}); keep exactly one`,
    );
  }
  let service = labelled[0];
  if (service === undefined) {
    const hidden = inactive.find(([, def]) => labelIsTrue(def, LABEL_PROXY));
    if (hidden) throw inactiveRefusal(hidden[0], hidden[1]);
    const publishing = names.filter((n) => publishes(services[n]));
    if (publishing.length > 1) {
      throw refuse(
        'services',
        `several services publish ports (${publishing.join(', ')}) and none is labelled warp.proxy; ${MARK_HINT}`,
      );
    }
    if (publishing.length === 0) {
      const hiddenPublisher = inactive.find(([, def]) => publishes(def));
      if (hiddenPublisher) throw inactiveRefusal(hiddenPublisher[0], hiddenPublisher[1]);
      throw refuse('services', `no service publishes a port, so there is nothing to route to; ${MARK_HINT}`);
    }
    service = publishing[0] as string;
  }
  const def = services[service];
  checkNetworkMode(service, def);
  return { service, containerPort: containerPortOf(service, def) };
}

/** A proxy that shares another network stack cannot get a published port of its own. */
function checkNetworkMode(service: string, def: unknown): void {
  const mode = isObj(def) && typeof def.network_mode === 'string' ? def.network_mode : '';
  if (mode === 'host') {
    throw refuse(
      `services.${service}.network_mode`,
      `service ${service} uses network_mode: host, so the panel cannot publish it on a port of its choosing; remove network_mode from ${service} and publish its port under ports`,
    );
  }
  if (/^(service|container):/.test(mode)) {
    throw refuse(
      `services.${service}.network_mode`,
      `service ${service} uses network_mode: ${mode}, so it has no ports of its own; label the service whose network it shares with warp.proxy instead, or remove network_mode from ${service}`,
    );
  }
}

/** The `warp.port` label, else the target of the first TCP entry of `ports`. */
function containerPortOf(service: string, def: unknown): number {
  const label = labelsOf(def)[LABEL_PORT];
  if (label !== undefined) return parsePort(label.trim(), `services.${service}.labels.${LABEL_PORT}`);
  const entries = portsOf(def).map(portEntryOf);
  const tcp = entries.find((e) => e !== null && e.protocol === 'tcp');
  if (tcp) return tcp.target;
  if (entries.length > 0) {
    const listed = entries.map((e) => (e ? `${e.target}/${e.protocol}` : '?')).join(', ');
    throw refuse(
      `services.${service}.ports`,
      `service ${service} publishes no TCP port (${listed}); the tunnel needs one: add a TCP port to ${service}'s ports or the label warp.port: "<port>"`,
    );
  }
  throw refuse(
    `services.${service}`,
    `cannot tell which port ${service} listens on; add the label warp.port: "<port>" to ${service}`,
  );
}
