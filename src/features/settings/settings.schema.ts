import { createPrivateKey } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { registriesPatchSchema, registryViewSchema } from './registries-setting.js';

const domainLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const domain = z
  .string()
  .trim()
  .toLowerCase()
  .refine(
    (d) => d.length <= 253 && d.split('.').length >= 2 && d.split('.').every((l) => domainLabel.test(l)),
    'expected a domain name like example.com',
  );
const absolutePath = z
  .string()
  .min(1)
  .refine(
    (p) =>
      (path.isAbsolute(p) && !p.includes('\0') && path.normalize(p) === p.replace(/\/+$/, '')) || p === '/',
    {
      message: 'expected a normalised absolute path',
    },
  );
const login = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, 'expected a GitHub login');
const ownerRepo = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/, 'expected owner/repo')
  .refine((s) => !['.', '..'].includes(s.split('/')[1] ?? ''), 'expected owner/repo');
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  .transform((u) => u.replace(/\/+$/, ''));
const identifier = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,200}$/, 'expected letters, digits, ".", "_" or "-"');
const secret = z.string().min(1).max(16_384).nullable();
const privateKey = z
  .string()
  .max(16_384)
  .refine((pem) => {
    try {
      return createPrivateKey(pem).asymmetricKeyType === 'rsa';
    } catch {
      return false;
    }
  }, 'expected the GitHub App private key (an RSA key in PEM form)')
  .nullable();
const restartTarget = z
  .string()
  .regex(/^[A-Za-z0-9@][A-Za-z0-9@._-]{0,127}$/, 'expected a unit, container or service name');
/** cloudflared's metrics server of a replica (`--metrics host:port`), whose `/ready` says when it serves. */
const metricsAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253}):\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:20241');
/**
 * How the tunnel restarts: `{mode, target}` (one cloudflared), or with `replicas` every replica of the
 * same tunnel one after the other, each back on its `/ready` before the next. A patch without
 * `replicas` keeps the stored list (clients that know only `{mode, target}` do not wipe it).
 */
const restart = z
  .object({
    mode: z.enum(['systemd', 'docker', 'swarm', 'none']),
    target: restartTarget.nullable(),
    replicas: z
      .array(z.object({ target: restartTarget, metrics: metricsAddress.nullable() }).strict())
      .max(16)
      .optional(),
  })
  .strict()
  .refine((r) => r.mode === 'none' || r.target !== null || (r.replicas?.length ?? 0) > 0, {
    message: 'target (or replicas) is required for systemd, docker and swarm',
    path: ['target'],
  })
  .refine((r) => new Set((r.replicas ?? []).map((x) => x.target)).size === (r.replicas ?? []).length, {
    message: 'each replica is listed once',
    path: ['replicas'],
  })
  .refine((r) => r.mode !== 'swarm' || (r.replicas?.length ?? 0) === 0, {
    message: 'a Swarm service is one target: set its replicas with swarm.cloudflaredReplicas',
    path: ['replicas'],
  });

/** Swarm mode: the shared overlay network, how services are reached, cloudflared's service, pacing. */
const swarm = z
  .object({
    network: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'expected a network name')
      .refine((n) => !['ingress', 'bridge', 'host', 'none', 'docker_gwbridge'].includes(n), 'reserved name'),
    endpointMode: z.enum(['vip', 'dnsrr']),
    cloudflaredImage: z.string().min(1).max(512),
    cloudflaredReplicas: z.number().int().min(1).max(10),
    updateDelaySeconds: z.number().int().min(0).max(300),
    updateMonitorSeconds: z.number().int().min(1).max(300),
  })
  .strict()
  .partial();

/** A port (`3000`) or an inclusive range (`3000-3999`) of host ports. */
const portOrRange = z
  .string()
  .regex(/^\d{1,5}(-\d{1,5})?$/, 'expected a port like 3000 or a range like 3000-3999')
  .refine((s) => {
    const [a, b = a] = s.split('-').map(Number);
    return a !== undefined && b !== undefined && a >= 1 && b <= 65535 && a <= b;
  }, 'expected ports from 1 to 65535, the lower one first');
/** A registry host as image references name it: `ghcr.io`, `registry.lan:5000`, `127.0.0.1:5000`. */
const registryHost = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)(:\d{1,5})?$/,
    'expected a registry host like ghcr.io or 10.0.0.5:5000',
  );

/** `PATCH /api/v1/settings` body: any subset; unknown keys are rejected; `null` clears a value. */
export const settingsPatchSchema = z
  .object({
    baseDomain: domain.nullable(),
    reposRoot: absolutePath,
    ports: z
      .object({
        start: z.number().int().min(1024).max(65535),
        end: z.number().int().min(1024).max(65535),
        bindAddress: z.enum(['127.0.0.1', '0.0.0.0']),
      })
      .strict()
      .partial(),
    tunnel: z
      .object({
        mode: z.enum(['local', 'remote']),
        name: identifier.nullable(),
        id: z.uuid().nullable(),
        accountId: z
          .string()
          .regex(/^[0-9a-f]{32}$/, 'expected a 32-character account id')
          .nullable(),
        configPath: absolutePath,
        dnsMode: z.enum(['cli', 'api']),
        restart,
      })
      .strict()
      .partial(),
    github: z
      .object({
        apiUrl: httpUrl,
        webUrl: httpUrl,
        oauthClientId: identifier.nullable(),
        oauthClientSecret: secret,
        appId: z
          .string()
          .regex(/^(\d{1,12}|Iv[0-9A-Za-z.]{4,40})$/, 'expected the App id or client id')
          .nullable(),
        installationId: z
          .string()
          .regex(/^\d{1,15}$/, 'expected a numeric installation id')
          .nullable(),
        appPrivateKey: privateKey,
        token: secret,
        /** The GitHub App's webhook secret: `X-Hub-Signature-256` of every delivery is checked with it. */
        webhookSecret: secret,
      })
      .strict()
      .partial(),
    cloudflare: z
      .object({
        apiToken: secret,
        zoneId: z
          .string()
          .regex(/^[0-9a-f]{32}$/, 'expected a 32-character zone id')
          .nullable(),
      })
      .strict()
      .partial(),
    access: z
      .object({
        allowedUsers: z.array(login).max(500),
        allowedOrgs: z.array(login).max(100),
        adminUsers: z.array(login).max(100),
      })
      .strict()
      .partial(),
    templates: z
      .object({ allowlist: z.array(ownerRepo).max(200) })
      .strict()
      .partial(),
    forwards: z
      .object({ allowedPorts: z.array(portOrRange).max(100) })
      .strict()
      .partial(),
    api: z.object({ publicDocs: z.boolean() }).strict().partial(),
    allowedRegistries: z.array(registryHost).max(100),
    releases: z
      .object({
        keep: z.number().int().min(1).max(50),
        drainSeconds: z.number().int().min(0).max(600),
      })
      .strict()
      .partial(),
    backups: z
      .object({
        helperImage: z
          .string()
          .trim()
          .regex(/^[a-z0-9][A-Za-z0-9._/:@-]{0,254}$/, 'expected an image reference like busybox:1.36'),
      })
      .strict()
      .partial(),
    /** The whole new list of registry credentials (see registries-setting.ts for the semantics). */
    registries: registriesPatchSchema,
    auth: z
      .object({ sessionMaxHours: z.number().int().min(1).max(8760) })
      .strict()
      .partial(),
    metrics: z
      .object({
        intervalSeconds: z.number().int().min(1).max(3600),
        diskThresholdPercent: z.number().int().min(1).max(100),
      })
      .strict()
      .partial(),
    swarm,
  })
  .strict()
  .partial();

/** A parsed settings patch. */
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

const secretView = z.object({ set: z.boolean(), hint: z.string().nullable() });

/** The settings object as `GET /api/v1/settings` returns it (secrets as `{set, hint}`). */
export const settingsViewSchema = z.object({
  baseDomain: z.string().nullable(),
  reposRoot: z.string(),
  ports: z.object({ start: z.number(), end: z.number(), bindAddress: z.string() }),
  tunnel: z.object({
    mode: z.enum(['local', 'remote']),
    name: z.string().nullable(),
    id: z.string().nullable(),
    accountId: z.string().nullable(),
    configPath: z.string(),
    dnsMode: z.enum(['cli', 'api']),
    restart: z.object({
      mode: z.enum(['systemd', 'docker', 'swarm', 'none']),
      target: z.string().nullable(),
      /** Replicas of the tunnel restarted one at a time (empty: the one `target`; always empty for swarm). */
      replicas: z.array(z.object({ target: z.string(), metrics: z.string().nullable() })),
    }),
  }),
  github: z.object({
    apiUrl: z.string(),
    webUrl: z.string(),
    oauthClientId: z.string().nullable(),
    oauthClientSecret: secretView,
    appId: z.string().nullable(),
    installationId: z.string().nullable(),
    appPrivateKey: secretView,
    token: secretView,
    webhookSecret: secretView,
  }),
  cloudflare: z.object({ apiToken: secretView, zoneId: z.string().nullable() }),
  access: z.object({
    allowedUsers: z.array(z.string()),
    allowedOrgs: z.array(z.string()),
    adminUsers: z.array(z.string()),
  }),
  templates: z.object({ allowlist: z.array(z.string()) }),
  /** Host ports operators may forward (admins may forward any but the panel's own and the engine's). */
  forwards: z.object({ allowedPorts: z.array(z.string()) }),
  /** Whether /api/docs and /api/openapi.json answer without sign-in. */
  api: z.object({ publicDocs: z.boolean() }),
  /** Loopback, link-local and private registry hosts images may come from. */
  allowedRegistries: z.array(z.string()),
  backups: z.object({ helperImage: z.string() }),
  /** Credentials for private registries, used for pulls (passwords write-only). */
  registries: z.array(registryViewSchema),
  auth: z.object({
    sessionMaxHours: z.number().describe('how long activity may keep a sign-in alive, in hours'),
  }),
  metrics: z.object({ intervalSeconds: z.number(), diskThresholdPercent: z.number() }),
  /** Releases kept per project (with their images) and how long a replaced release drains. */
  releases: z.object({ keep: z.number(), drainSeconds: z.number() }),
  /**
   * Swarm mode: the overlay network cloudflared and published services share, the endpoint mode of
   * the panel's services (`dnsrr` where the kernel has no IPVS), cloudflared's image and replicas, and
   * the rolling-update pacing (seconds between tasks, seconds each new task is watched).
   */
  swarm: z.object({
    network: z.string(),
    endpointMode: z.enum(['vip', 'dnsrr']),
    cloudflaredImage: z.string(),
    cloudflaredReplicas: z.number(),
    updateDelaySeconds: z.number(),
    updateMonitorSeconds: z.number(),
  }),
});

/** The settings object as the API shows it. */
export type SettingsView = z.infer<typeof settingsViewSchema>;

/** Dotted paths of secret settings. */
export const SECRET_KEYS = [
  'github.oauthClientSecret',
  'github.appPrivateKey',
  'github.token',
  'github.webhookSecret',
  'cloudflare.apiToken',
] as const;

// Names of these schemas in the OpenAPI document (GET /api/openapi.json): the web client's types
// (web/src/api/openapi.gen.ts, `npm run api:types`) are generated from it.
z.globalRegistry.add(secretView, { id: 'SecretView' });
z.globalRegistry.add(settingsViewSchema, { id: 'Settings' });
z.globalRegistry.add(registryViewSchema, { id: 'RegistryCredentials' });
