import path from 'node:path';
import { z } from 'zod';

const list = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

const optional = z
  .string()
  .optional()
  .transform((s) => (s && s.trim() !== '' ? s.trim() : null));

const portRange = z
  .string()
  .regex(/^\d{1,5}-\d{1,5}$/, 'expected "<start>-<end>", e.g. 8100-8999')
  .transform((s) => {
    const [start, end] = s.split('-').map(Number) as [number, number];
    return { start, end };
  })
  .refine((r) => r.start >= 1024 && r.end <= 65535 && r.start <= r.end, 'expected a range inside 1024-65535');

/** `<unit or container>` optionally with `=<host:port>` of its metrics server (`/ready`). */
const RESTART_TARGET = String.raw`[A-Za-z0-9@][A-Za-z0-9@._-]*(=[A-Za-z0-9.:\[\]-]+:\d{1,5})?`;
/** A Swarm service name (`swarm:<service>`: cloudflared runs as that service). */
const SWARM_SERVICE = '[A-Za-z0-9][A-Za-z0-9_.-]+';
const tunnelRestart = z
  .string()
  .regex(
    new RegExp(`^(none|(systemd|docker):${RESTART_TARGET}(,${RESTART_TARGET})*|swarm:${SWARM_SERVICE})$`),
    'expected systemd:<unit>, docker:<container>, swarm:<service> or none (replicas: systemd:cloudflared@1=127.0.0.1:20241,cloudflared@2=127.0.0.1:20242)',
  )
  .transform((s): TunnelRestartConfig => {
    if (s === 'none') return { mode: 'none', target: null };
    const [mode, rest] = s.split(/:(.*)/s) as ['systemd' | 'docker' | 'swarm', string];
    // A Swarm service is one target: the Swarm rolls its replicas itself.
    if (mode === 'swarm') return { mode, target: rest };
    const replicas = rest.split(',').map((item) => {
      const [target, metrics] = item.split(/=(.*)/s) as [string, string | undefined];
      return { target, metrics: metrics || null };
    });
    // One target without a metrics address is the original form: restart it, wait until it runs.
    if (replicas.length === 1 && replicas[0]!.metrics === null) return { mode, target: replicas[0]!.target };
    return { mode, target: replicas[0]!.target, replicas };
  });

/** The tunnel restart setting: one target, or replicas restarted one at a time (`swarm`: one service). */
export interface TunnelRestartConfig {
  mode: 'systemd' | 'docker' | 'swarm' | 'none';
  target: string | null;
  replicas?: { target: string; metrics: string | null }[];
}

const url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** The environment variables of DESIGN.md's configuration table, with their defaults. */
export const envSchema = z.object({
  WARP_HOST: z.string().min(1).default('127.0.0.1'),
  WARP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  WARP_PUBLIC_URL: url.optional(),
  WARP_DATA_DIR: z.string().min(1).default('./data'),
  WARP_DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|sqlite:)/, 'expected postgres://… or sqlite:<file>')
    .optional(),
  WARP_SECRET_KEY: z
    .string()
    .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, 'expected 32 bytes as 64 hex characters or base64')
    .optional(),
  WARP_SETUP_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  WARP_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WARP_LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  DOCKER_HOST: z
    .string()
    .regex(
      /^(unix:\/\/\/.+|tcp:\/\/.+|npipe:\/\/.+|ssh:\/\/.+)$/,
      'expected unix:///path, tcp://host:port or ssh://user@host',
    )
    .default('unix:///var/run/docker.sock'),
  /** `1`: talk TLS to a tcp:// engine (a remote Swarm manager), with the certificates in DOCKER_CERT_PATH. */
  DOCKER_TLS_VERIFY: z.enum(['0', '1']).optional(),
  DOCKER_CERT_PATH: optional,
  /** The ssh agent for ssh:// engines (as the Docker CLI uses it). */
  SSH_AUTH_SOCK: optional,
  WARP_COMPOSE: z.enum(['docker compose', 'docker-compose']).optional(),
  DOCKER_CONFIG: optional,
  WARP_CLOUDFLARED_BIN: z.string().min(1).default('cloudflared'),
  WARP_SYSTEMCTL_BIN: z.string().min(1).default('systemctl'),
  WARP_BASE_DOMAIN: optional,
  WARP_REPOS_ROOT: optional,
  WARP_PORT_RANGE: portRange.default({ start: 8100, end: 8999 }),
  WARP_TUNNEL_NAME: optional,
  WARP_CLOUDFLARED_CONFIG: z.string().min(1).default('/etc/cloudflared/config.yml'),
  WARP_TUNNEL_RESTART: tunnelRestart.default({
    mode: 'systemd',
    target: 'cloudflared',
  } as TunnelRestartConfig),
  WARP_GITHUB_API_URL: url.default('https://api.github.com'),
  WARP_GITHUB_WEB_URL: url.default('https://github.com'),
  WARP_GITHUB_CLIENT_ID: optional,
  WARP_GITHUB_CLIENT_SECRET: optional,
  WARP_GITHUB_APP_ID: optional,
  WARP_GITHUB_APP_INSTALLATION_ID: optional,
  WARP_GITHUB_APP_PRIVATE_KEY_FILE: optional,
  WARP_CLOUDFLARE_API_URL: url.default('https://api.cloudflare.com/client/v4'),
  WARP_CLOUDFLARE_API_TOKEN: optional,
  WARP_ALLOWED_USERS: list,
  WARP_ALLOWED_ORGS: list,
  WARP_ADMIN_USERS: list,
  WARP_TEMPLATE_ALLOWLIST: list,
  WARP_JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  WARP_BACKUP_HELPER_IMAGE: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$/, 'expected an image reference like busybox:1.36')
    .default('busybox:1.36'),
  WARP_RESTIC_BIN: z.string().min(1).default('restic'),
  WARP_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(8760).default(24),
  WARP_METRICS_INTERVAL: z.coerce
    .number()
    .int('expected whole seconds')
    .min(1, 'expected 1-3600 seconds')
    .max(3600, 'expected 1-3600 seconds')
    .default(15),
});

/** Raw parsed environment. */
export type Env = z.infer<typeof envSchema>;

/** Turn the parsed environment into the application's config shape (paths made absolute). */
export function toConfig(env: Env, cwd: string) {
  const dataDir = path.resolve(cwd, env.WARP_DATA_DIR);
  return {
    host: env.WARP_HOST,
    port: env.WARP_PORT,
    // Without a public URL, the address the server listens on (a wildcard host means this machine).
    publicUrl: (
      env.WARP_PUBLIC_URL ??
      `http://${['0.0.0.0', '::'].includes(env.WARP_HOST) ? '127.0.0.1' : env.WARP_HOST}:${env.WARP_PORT}`
    ).replace(/\/+$/, ''),
    dataDir,
    databaseUrl: env.WARP_DATABASE_URL ?? `sqlite:${path.join(dataDir, 'warp.db')}`,
    secretKey: env.WARP_SECRET_KEY ?? null,
    setupToken: env.WARP_SETUP_TOKEN ?? null,
    logLevel: env.WARP_LOG_LEVEL,
    logFormat: env.WARP_LOG_FORMAT,
    dockerHost: env.DOCKER_HOST,
    /** TLS to a tcp:// engine: on with DOCKER_TLS_VERIFY=1, certificates (ca/cert/key.pem) from DOCKER_CERT_PATH. */
    dockerTls: {
      verify: env.DOCKER_TLS_VERIFY === '1',
      certPath: env.DOCKER_CERT_PATH ? path.resolve(cwd, env.DOCKER_CERT_PATH) : null,
    },
    sshAuthSock: env.SSH_AUTH_SOCK,
    compose: env.WARP_COMPOSE ?? null,
    /** Passed to compose children: where the Docker CLI finds its plugins (`docker compose`). */
    dockerConfig: env.DOCKER_CONFIG,
    cloudflaredBin: env.WARP_CLOUDFLARED_BIN,
    systemctlBin: env.WARP_SYSTEMCTL_BIN,
    baseDomain: env.WARP_BASE_DOMAIN,
    reposRoot: path.resolve(cwd, env.WARP_REPOS_ROOT ?? path.join(dataDir, 'repos')),
    portRange: env.WARP_PORT_RANGE,
    tunnelName: env.WARP_TUNNEL_NAME,
    cloudflaredConfig: path.resolve(cwd, env.WARP_CLOUDFLARED_CONFIG),
    tunnelRestart: env.WARP_TUNNEL_RESTART,
    github: {
      apiUrl: env.WARP_GITHUB_API_URL.replace(/\/+$/, ''),
      webUrl: env.WARP_GITHUB_WEB_URL.replace(/\/+$/, ''),
      clientId: env.WARP_GITHUB_CLIENT_ID,
      clientSecret: env.WARP_GITHUB_CLIENT_SECRET,
      appId: env.WARP_GITHUB_APP_ID,
      installationId: env.WARP_GITHUB_APP_INSTALLATION_ID,
      appPrivateKeyFile: env.WARP_GITHUB_APP_PRIVATE_KEY_FILE,
    },
    cloudflare: {
      apiUrl: env.WARP_CLOUDFLARE_API_URL.replace(/\/+$/, ''),
      apiToken: env.WARP_CLOUDFLARE_API_TOKEN,
    },
    access: {
      allowedUsers: env.WARP_ALLOWED_USERS,
      allowedOrgs: env.WARP_ALLOWED_ORGS,
      adminUsers: env.WARP_ADMIN_USERS,
    },
    templateAllowlist: env.WARP_TEMPLATE_ALLOWLIST,
    jobConcurrency: env.WARP_JOB_CONCURRENCY,
    /** App data backups: the image whose tar reads and writes volumes, and the restic executable. */
    backups: { helperImage: env.WARP_BACKUP_HELPER_IMAGE, resticBin: env.WARP_RESTIC_BIN },
    /** First default of the setting `auth.sessionMaxHours`: how long activity may keep a session alive. */
    sessionMaxHours: env.WARP_SESSION_MAX_HOURS,
    /** Seconds between metrics samples (the first default of the `metrics.intervalSeconds` setting). */
    metricsIntervalSeconds: env.WARP_METRICS_INTERVAL,
  };
}

/** The validated, frozen process configuration. */
export type Config = Readonly<ReturnType<typeof toConfig>>;
