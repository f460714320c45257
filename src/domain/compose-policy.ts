/**
 * What a deploy may ask of the host. An operator manages the panel's apps, never the host: a compose
 * project (or quick service) that would escape its containers is refused unless an admin granted the
 * matching exception for that project. Judged on the model Compose resolved (after includes,
 * extends, profiles and interpolation), never on the text a user wrote.
 */

/** Exceptions an admin can grant one project. */
export const POLICY_EXCEPTIONS = [
  'privileged',
  'capabilities',
  'devices',
  'hostNamespaces',
  'hostNetwork',
  'securityOpt',
  'hostPaths',
  'externalVolumes',
  'publicPorts',
] as const;

export type PolicyException = (typeof POLICY_EXCEPTIONS)[number];

/** One thing the model asks for that the project is not allowed. */
export interface PolicyViolation {
  service: string | null;
  key: string;
  exception: PolicyException;
  message: string;
}

/** The parts of a resolved service the policy reads (`docker compose config --format json`). */
interface ResolvedService {
  privileged?: boolean;
  cap_add?: string[];
  devices?: unknown[];
  device_cgroup_rules?: string[];
  pid?: string;
  ipc?: string;
  uts?: string;
  userns_mode?: string;
  cgroup?: string;
  network_mode?: string;
  security_opt?: string[];
  volumes?: { type?: string; source?: string; target?: string }[];
  ports?: { host_ip?: string; published?: string | number; target?: number }[];
  labels?: Record<string, string> | string[];
}

/** The label that keeps a service's own port addresses instead of the panel's loopback binding. */
export const LABEL_PUBLIC_PORTS = 'warp.public-ports';

const wantsOwnAddresses = (s: ResolvedService): boolean => {
  const labels = s.labels;
  const value = Array.isArray(labels)
    ? labels.find((l) => l.startsWith(`${LABEL_PUBLIC_PORTS}=`))?.split('=')[1]
    : labels?.[LABEL_PUBLIC_PORTS];
  return /^(true|1|yes)$/i.test(String(value ?? ''));
};

/** The parts of a resolved model the policy reads. */
export interface ResolvedModel {
  services?: Record<string, ResolvedService>;
  volumes?: Record<
    string,
    { external?: boolean; name?: string; driver_opts?: Record<string, string | number> } | null
  >;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/** security_opt values that switch off a confinement layer. */
const UNCONFINED =
  /^(seccomp[:=]unconfined|apparmor[:=]unconfined|label[:=]disable|systempaths[:=]unconfined|no-new-privileges[:=]false)$/i;

/** Whether `child` is `dir` or inside it (both absolute, already normalised by Compose). */
function inside(dir: string, child: string): boolean {
  const d = dir.replace(/\/+$/, '');
  return child === d || child.startsWith(`${d}/`);
}

/**
 * Every way the model reaches past its own containers that `allowed` does not cover. `projectDir` is
 * the folder the project was resolved in: bind mounts below it are the project's own files.
 * `ownVolumes` are the volume names this project created (an external volume among them is fine).
 */
export function composePolicyViolations(
  model: ResolvedModel,
  opts: {
    projectDir: string;
    allowed: readonly PolicyException[];
    ownVolumes?: readonly string[];
    /** A service whose `network_mode: host` is the documented case (never the proxy). */
    hostNetworkOk?: (service: string) => boolean;
  },
): PolicyViolation[] {
  const allow = new Set(opts.allowed);
  const out: PolicyViolation[] = [];
  const add = (service: string | null, key: string, exception: PolicyException, what: string) => {
    if (allow.has(exception)) return;
    out.push({
      service,
      key,
      exception,
      message: `${service ? `service "${service}": ` : ''}${what} reaches the host; remove ${key}, or ask an admin to allow "${exception}" for this project`,
    });
  };
  for (const [name, s] of Object.entries(model.services ?? {})) {
    if (s.privileged) add(name, 'privileged', 'privileged', '`privileged: true`');
    if (s.cap_add?.length) add(name, 'cap_add', 'capabilities', `\`cap_add: [${s.cap_add.join(', ')}]\``);
    if (s.devices?.length || s.device_cgroup_rules?.length)
      add(name, 'devices', 'devices', 'access to host devices');
    for (const key of ['pid', 'ipc', 'uts', 'cgroup'] as const) {
      if (s[key] === 'host') add(name, key, 'hostNamespaces', `\`${key}: host\``);
    }
    if (s.userns_mode === 'host') add(name, 'userns_mode', 'hostNamespaces', '`userns_mode: host`');
    if (s.network_mode === 'host' && !opts.hostNetworkOk?.(name)) {
      add(name, 'network_mode', 'hostNetwork', '`network_mode: host`');
    }
    for (const o of s.security_opt ?? []) {
      if (UNCONFINED.test(o.trim())) add(name, 'security_opt', 'securityOpt', `\`security_opt: ${o}\``);
    }
    for (const v of s.volumes ?? []) {
      if (v.type !== 'bind' || !v.source) continue;
      if (!inside(opts.projectDir, v.source)) {
        const what = /docker\.sock$/.test(v.source) ? 'the Docker socket' : `the host path ${v.source}`;
        add(name, 'volumes', 'hostPaths', `a bind mount of ${what}`);
      }
    }
    // The panel binds every published port to loopback; a service that asks to keep its own
    // addresses (the label) publishes beyond this host, which is the admin's call.
    if (wantsOwnAddresses(s)) {
      for (const p of s.ports ?? []) {
        if (p.published === undefined || p.published === '') continue;
        const ip = p.host_ip ?? '';
        if (!LOOPBACK.has(ip)) {
          add(
            name,
            `labels.${LABEL_PUBLIC_PORTS}`,
            'publicPorts',
            `port ${p.published} published on ${ip || 'every address'}`,
          );
        }
      }
    }
  }
  const own = new Set(opts.ownVolumes ?? []);
  for (const [key, v] of Object.entries(model.volumes ?? {})) {
    // The local driver's `o: bind` + `device` is a bind mount by another name.
    const device = v?.driver_opts?.device;
    if (
      typeof device === 'string' &&
      /\bbind\b/.test(String(v?.driver_opts?.o ?? '')) &&
      !inside(opts.projectDir, device)
    ) {
      add(
        null,
        `volumes.${key}.driver_opts`,
        'hostPaths',
        `the volume "${key}" binds the host path ${device}`,
      );
    }
    if (!v?.external) continue;
    const real = v.name ?? key;
    if (!own.has(real))
      add(
        null,
        `volumes.${key}`,
        'externalVolumes',
        `the external volume "${real}" (not created by this project)`,
      );
  }
  return out;
}

/** What each exception lets a project do, for the UI and the API. */
export const POLICY_EXCEPTION_TEXT: Record<PolicyException, string> = {
  privileged: 'run privileged containers',
  capabilities: 'add Linux capabilities (cap_add)',
  devices: 'use host devices',
  hostNamespaces: 'share the host’s pid, ipc, uts, userns or cgroup namespace',
  hostNetwork: 'use the host’s network (network_mode: host)',
  securityOpt: 'switch off seccomp, AppArmor or SELinux confinement',
  hostPaths: 'bind-mount host paths outside the project folder (the Docker socket included)',
  externalVolumes: 'mount external volumes the project did not create',
  publicPorts: 'publish ports beyond loopback (label warp.public-ports)',
};
