import type { SwarmLimits } from './swarm-names.js';

/**
 * Service specs (the Engine API's `ServiceSpec`) the panel creates, as plain data. Rolling updates
 * start the new task before stopping the old one (`start-first`), one task at a time, and roll back
 * on failure, so an update never leaves fewer tasks answering than before.
 */

/** Nanoseconds in a second (the Engine API's durations). */
export const SECOND_NS = 1_000_000_000;

/** How fast a rolling update moves: the pause between tasks, and how long each new task is watched. */
export interface UpdatePacing {
  delayNs: number;
  monitorNs: number;
}

/** Default pacing: 5 s between tasks, each watched 5 s for a failure. */
export const DEFAULT_PACING: UpdatePacing = { delayNs: 5 * SECOND_NS, monitorNs: 5 * SECOND_NS };

/** A service spec, loose enough to hand to dockerode as it is. */
export type ServiceSpec = Record<string, unknown> & { Name: string; Labels: Record<string, string> };

const rolling = (p: UpdatePacing, failureAction: 'rollback' | 'pause') => ({
  Parallelism: 1,
  Delay: p.delayNs,
  FailureAction: failureAction,
  Monitor: p.monitorNs,
  MaxFailureRatio: 0,
  Order: 'start-first',
});

/** Spread replicas over nodes: with as many available nodes as replicas, no two share a node. */
const SPREAD = [{ Spread: { SpreadDescriptor: 'node.id' } }];

/** What a quick service on Swarm is made of. */
export interface QuickServiceSpecInput {
  name: string;
  image: string;
  env: string[];
  labels: Record<string, string>;
  replicas: number;
  constraints: string[];
  limits: SwarmLimits;
  network: string;
  endpointMode: 'vip' | 'dnsrr';
  pacing: UpdatePacing;
}

/** A quick service as a replicated Swarm service on the shared overlay network. */
export function quickServiceSpec(i: QuickServiceSpecInput): ServiceSpec {
  return {
    Name: i.name,
    Labels: i.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: i.image,
        Env: i.env,
        Labels: i.labels,
        // Busybox-style PID 1 processes ignore SIGTERM; an init makes stops (and updates) prompt.
        Init: true,
        StopGracePeriod: 10 * SECOND_NS,
      },
      ...(Object.keys(i.limits).length > 0 ? { Resources: { Limits: i.limits } } : {}),
      RestartPolicy: { Condition: 'any', Delay: 5 * SECOND_NS, MaxAttempts: 0 },
      Placement: { Constraints: i.constraints, Preferences: SPREAD },
      Networks: [{ Target: i.network }],
    },
    Mode: { Replicated: { Replicas: i.replicas } },
    UpdateConfig: rolling(i.pacing, 'rollback'),
    RollbackConfig: rolling(i.pacing, 'pause'),
    EndpointSpec: { Mode: i.endpointMode },
  };
}

/** Where cloudflared finds its config and credentials inside its task. */
export const CLOUDFLARED_CONFIG_PATH = '/etc/cloudflared/config.yml';
export const CLOUDFLARED_CREDENTIALS_PATH = '/etc/cloudflared/credentials.json';
/** Its metrics (and `/ready`) address inside the task. */
export const CLOUDFLARED_METRICS = '0.0.0.0:2000';

/** What the cloudflared service is made of. */
export interface CloudflaredSpecInput {
  name: string;
  image: string;
  tunnel: string;
  config: { id: string; name: string };
  credentials: { id: string; name: string } | null;
  replicas: number;
  network: string;
  labels: Record<string, string>;
  pacing: UpdatePacing;
}

/**
 * cloudflared as a Swarm service: its config.yml as a Swarm config (a new, versioned one for every
 * change: configs are immutable), the tunnel credentials as a secret, replicas spread over nodes.
 * The image's entrypoint is `cloudflared --no-autoupdate`; the arguments follow it.
 */
export function cloudflaredServiceSpec(i: CloudflaredSpecInput): ServiceSpec {
  return {
    Name: i.name,
    Labels: i.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: i.image,
        Args: [
          'tunnel',
          '--config',
          CLOUDFLARED_CONFIG_PATH,
          '--metrics',
          CLOUDFLARED_METRICS,
          'run',
          i.tunnel,
        ],
        Labels: i.labels,
        // cloudflared drains its connections on SIGTERM for up to --grace-period (30 s by default).
        StopGracePeriod: 35 * SECOND_NS,
        Configs: [
          {
            File: { Name: CLOUDFLARED_CONFIG_PATH, UID: '0', GID: '0', Mode: 0o444 },
            ConfigID: i.config.id,
            ConfigName: i.config.name,
          },
        ],
        Secrets: i.credentials
          ? [
              {
                File: { Name: CLOUDFLARED_CREDENTIALS_PATH, UID: '0', GID: '0', Mode: 0o400 },
                SecretID: i.credentials.id,
                SecretName: i.credentials.name,
              },
            ]
          : [],
      },
      RestartPolicy: { Condition: 'any', Delay: 5 * SECOND_NS, MaxAttempts: 0 },
      Placement: { Constraints: [], Preferences: SPREAD },
      Networks: [{ Target: i.network }],
    },
    Mode: { Replicated: { Replicas: i.replicas } },
    UpdateConfig: rolling(i.pacing, 'rollback'),
    RollbackConfig: rolling(i.pacing, 'pause'),
    EndpointSpec: { Mode: 'dnsrr' },
  };
}
