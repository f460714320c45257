// The API's types, named for the UI. All of them come from openapi.gen.ts, which is generated from the
// server's route schemas (`npm run api:types`): to change a shape, change its route schema.
import type { components, paths } from './openapi.gen.js';

type Schemas = components['schemas'];
type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';
type Success = 200 | 201 | 202 | 204;

/** Paths that answer `M`. */
export type PathWith<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never;
}[keyof paths];

type Responses<P extends keyof paths, M extends Method> = paths[P][M] extends { responses: infer R }
  ? R
  : never;

/** The JSON body of `M P` answering `S` (default: its success statuses), e.g. `JsonOf<'/api/v1/jobs', 'get'>`. */
export type JsonOf<
  P extends PathWith<M>,
  M extends Method,
  S extends keyof Responses<P, M> = Extract<keyof Responses<P, M>, Success>,
> = Responses<P, M>[S] extends { content: { 'application/json': infer T } } ? T : never;

/** API.md's User. */
export type User = Schemas['User'];
/** `GET /auth/me`. */
export type Me = JsonOf<'/auth/me', 'get'>;
/** Settings as `GET /api/v1/settings` returns them. */
export type Settings = Schemas['Settings'];
/** A secret setting as the API shows it. */
export type SecretView = Schemas['SecretView'];
/** Per-user onboarding state. */
export type Onboarding = Schemas['Onboarding'];

/** A list response (`{items}`). */
export type Items<T> = { items: T[] };
/** A paged list response (`{items, nextCursor}`). */
export type Page<T> = Items<T> & Pick<JsonOf<'/api/v1/jobs', 'get'>, 'nextCursor'>;

/** Project states, with `degraded` (some containers down) and `missing` (its containers are gone). */
export type ProjectStatus = Schemas['Project']['status'];
/** API.md's Project. */
export type Project = Schemas['Project'];
/** What `PATCH /api/v1/projects/:id` can change, as it stands (env values stay hidden: names only). */
export type ProjectSettings = Project['settings'];
/** `PATCH /api/v1/projects/:id`: the fields of the create request; they apply at the next deploy. */
export type ProjectEdit = NonNullable<
  paths['/api/v1/projects/{id}']['patch']['requestBody']
>['content']['application/json'];
/** A 202 answer of the deploy endpoints (`{project, job}`). */
export type Accepted = Schemas['ProjectJob'];
/** API.md's Job; `title` is a sentence for people ("Deploy draw.example.com (quick service)"). */
export type Job = Schemas['Job'];
/** `GET /auth/methods`: which sign-in methods the sign-in page can offer. */
export type AuthMethods = JsonOf<'/auth/methods', 'get'>;
/** One of the local admin's passkeys (`GET /auth/passkeys`). */
export type Passkey = Schemas['Passkey'];
/** A compose plan: `dryRun` answers and `GET /api/v1/projects/:id/plan` (API.md → Plans). */
export type Plan = JsonOf<'/api/v1/projects/{id}/plan', 'get'>['plan'];
/** Job states. */
export type JobStatus = Job['status'];
/** One persisted job log line (also the `event: log` data of the job log stream). */
export type JobLogLine = Schemas['JobLogLine'];

/** API.md's Container. */
export type Container = Schemas['Container'];
/** One line of the multi-container live log (`event: log` data). */
export type ContainerLogLine = Schemas['ContainerLogLine'];
/** `GET /api/v1/containers/:id/stats`: CPU and memory now. */
export type ContainerStats = Schemas['ContainerStats'];

/** A cloudflared ingress rule. */
export type IngressRule = Schemas['IngressRule'];
/** `GET /api/v1/tunnel`. */
export type TunnelState = Schemas['TunnelState'];
/** `GET /api/v1/tunnel/config`. */
export type TunnelConfig = Schemas['TunnelConfig'];
/** `GET /health/tunnel` (200 or 503). */
export type TunnelHealth = Schemas['TunnelHealth'];

/** `GET /health/docker` (200 or 503). */
export type DockerHealth = Schemas['DockerHealth'];
/** `GET /api/v1/system/docker`. */
export type DockerUsage = Schemas['DockerUsage'];
/** `GET /api/v1/system/host`. */
export type HostResources = Schemas['HostResources'];

/** A compose project under the repos root. */
export type HostRepo = Schemas['HostRepo'];
/** An allow-listed template repository. */
export type Template = Schemas['Template'];
/** `GET /api/v1/github/app/check`. */
export type GithubAppCheck = JsonOf<'/api/v1/github/app/check', 'get'>;

/** One webhook or deploy-hook delivery and what it led to. */
export type HookDelivery = Schemas['HookDelivery'];
/** `GET /api/v1/projects/:id/deliveries`: deliveries, the tracked branch, auto-deploy, the hook. */
export type ProjectDeliveries = JsonOf<'/api/v1/projects/{id}/deliveries', 'get'>;
/** `POST /api/v1/projects/:id/deploy-hook`: the hook URL and its token, shown once. */
export type CreatedDeployHook = JsonOf<'/api/v1/projects/{id}/deploy-hook', 'post'>;

/** An API token as listed (never the token itself). */
export type ApiToken = Schemas['ApiToken'];
/** `POST /api/v1/tokens`: the new token, shown once. */
export type CreatedToken = JsonOf<'/api/v1/tokens', 'post'>;

/** One audit log entry. */
export type AuditEntry = Schemas['AuditEntry'];

/** `GET /api/v1/projects/:id/backup-policy` (S3 keys as `{set, hint}`). */
export type BackupPolicy = JsonOf<'/api/v1/projects/{id}/backup-policy', 'get'>;
/** One backup run of `GET /api/v1/projects/:id/backups`. */
export type Backup = JsonOf<'/api/v1/projects/{id}/backups', 'get'>['items'][number];
/** One project of `GET /api/v1/backups/status`. */
export type BackupStatus = JsonOf<'/api/v1/backups/status', 'get'>['items'][number];

type RawMetrics = JsonOf<'/api/v1/metrics', 'get'>;
/** One series of `GET /api/v1/metrics` (points as `[epochMs, value]`: the document's tuple is a plain array). */
export type MetricSeries = Omit<RawMetrics['series'][number], 'points'> & { points: [number, number][] };
/** `GET /api/v1/metrics`. */
export type MetricsResponse = Omit<RawMetrics, 'series'> & { series: MetricSeries[] };
/** A project's CPU and memory thresholds. */
export type Thresholds = JsonOf<'/api/v1/projects/{id}/thresholds', 'get'>;
/** A notification channel (secrets as `{set, hint}`). */
export type Channel = JsonOf<'/api/v1/notifications/channels/{id}', 'get'>;
/** One delivery attempt of the notification log. */
export type DeliveryAttempt = JsonOf<'/api/v1/notifications/deliveries', 'get'>['items'][number];
/** One release of a project (`GET /api/v1/projects/:id/releases`). */
export type Release = Schemas['Release'];
/** A Swarm node (`GET /api/v1/nodes`). */
export type SwarmNode = Schemas['SwarmNode'];
/** `GET /api/v1/nodes`: the engine's mode and its nodes. */
export type SwarmNodes = Schemas['SwarmNodes'];
/** A task of a Swarm project. */
export type SwarmTask = Schemas['SwarmTask'];
/** `GET /api/v1/nodes/join` (admin). */
export type JoinCommand = JsonOf<'/api/v1/nodes/join', 'get'>;
