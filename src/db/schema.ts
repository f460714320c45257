import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/*
 * Table types shared by SQLite and PostgreSQL. Portable storage choices: text ids (UUIDv7, sort by
 * time), ISO-8601 text timestamps, integers 0/1 for booleans, JSON as text.
 */

export interface UsersTable {
  id: string;
  login: string;
  name: string | null;
  avatar_url: string | null;
  role: 'admin' | 'operator';
  provider: 'github' | 'local';
  github_id: string | null;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
  /** 1 when an admin disabled the account: its sessions and tokens stop working. */
  disabled: ColumnType<number, number | undefined, number>;
  /** `settings`: the role follows `access.adminUsers`; `manual`: an admin set it. */
  role_source: ColumnType<'settings' | 'manual', 'settings' | 'manual' | undefined, 'settings' | 'manual'>;
  /** Why a GitHub user was let in: `adminUsers`, `allowedUsers` or `org:<name>`. */
  admitted_via: ColumnType<string | null, string | null | undefined, string | null>;
  /** When an org admission was last confirmed with GitHub. */
  access_checked_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** argon2id hash of the local admin's password (0005); null when none is set. */
  password_hash: string | null;
}

export interface SessionsTable {
  id: string; // sha256 of the cookie value
  user_id: string;
  created_at: string;
  last_seen_at: string;
  idle_expires_at: string;
  absolute_expires_at: string;
  revoked_at: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginTokensTable {
  id: string;
  token_hash: string;
  origin: 'startup' | 'cli' | 'env';
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  hint: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SettingsTable {
  key: string;
  value: string; // JSON; for secrets an encrypted envelope
  secret: number;
  updated_at: string;
  updated_by: string | null;
}

export interface OnboardingTable {
  user_id: string;
  completed: number;
  completed_at: string | null;
  steps: string; // JSON {name: bool}
  updated_at: string;
}

export interface ProjectsTable {
  id: string;
  name: string;
  kind: 'template' | 'existing' | 'quick' | 'forward';
  subdomain: string;
  hostname: string | null;
  host_port: number | null;
  status: 'pending' | 'deploying' | 'running' | 'degraded' | 'stopped' | 'missing' | 'failed' | 'removed';
  repo_owner: string | null;
  repo_name: string | null;
  repo_url: string | null;
  image: string | null;
  path: string | null;
  compose_project: string | null;
  container_names: string; // JSON string[]
  spec: string; // JSON: kind-specific deploy input (container port, env names, …)
  /** JSON `[{service, image, digest, imageId}]`: what the project's containers run. */
  images: ColumnType<string, string | undefined, string>;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  last_job_id: string | null;
  /** Why the status is what it is, in words (0005). */
  status_reason: string | null;
  /** Branch a repo-backed project tracks; null: the repository's default branch. */
  branch: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1 when a push to the tracked branch deploys it. */
  auto_deploy: ColumnType<number, number | undefined, number>;
  /** `host`: the panel's engine (the default); `swarm`: Swarm services or a stack through a manager. */
  target: ColumnType<'host' | 'swarm', 'host' | 'swarm' | undefined, 'host' | 'swarm'>;
  /** Replicas a Swarm project asks for; null on the host. */
  replicas: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface DeploymentsTable {
  id: string;
  project_id: string;
  job_id: string | null;
  status: 'running' | 'succeeded' | 'failed';
  host_port: number | null;
  details: string; // JSON
  created_at: string;
  finished_at: string | null;
}

export interface RoutesTable {
  id: string;
  hostname: string;
  service: string;
  project_id: string | null;
  ingress_state: 'pending' | 'applied' | 'removing';
  dns_state: 'pending' | 'created' | 'exists' | 'failed';
  dns_record_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface PortReservationsTable {
  port: number;
  project_id: string | null;
  job_id: string | null;
  created_at: string;
}

export interface JobsTable {
  id: string;
  type: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'interrupted';
  project_id: string | null;
  input: string; // JSON (secrets masked)
  result: string | null; // JSON
  error: string | null; // JSON {code, message}
  actor: string | null;
  request_id: string | null;
  cancel_requested: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** A sentence for people ("Deploy draw.example.com (quick service)"), 0005. */
  title: string | null;
}

/** A local user's passkey (WebAuthn credential), 0005. */
export interface WebauthnCredentialsTable {
  id: string;
  user_id: string;
  name: string;
  public_key: string;
  counter: number;
  transports: string;
  created_at: string;
  last_used_at: string | null;
}

export interface JobLogsTable {
  job_id: string;
  seq: number;
  ts: string;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
}

export interface AuditLogTable {
  id: string;
  at: string;
  actor: string | null;
  action: string;
  target: string | null;
  result: 'ok' | 'error';
  request_id: string | null;
  ip: string | null;
  project_id: string | null;
  details: string; // JSON
}

export interface BackupPoliciesTable {
  project_id: string;
  schedule: string | null; // cron expression
  timezone: string; // IANA zone the schedule is read in
  before_deploy: number;
  volumes: string; // JSON string[]
  databases: string; // JSON string[] (service names)
  target: string; // JSON, without the S3 keys
  target_secrets: string | null; // encrypted JSON {accessKeyId, secretAccessKey}
  retention: string; // JSON {last, daily, weekly}
  verify_schedule: string | null; // cron expression of the restore check
  repo_password: string; // encrypted restic repository password
  last_status: 'succeeded' | 'partial' | 'failed' | 'running' | null;
  last_run_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_job_id: string | null;
  last_verify_at: string | null;
  last_verify_status: 'succeeded' | 'failed' | null;
  last_verify_error: string | null;
  created_at: string;
  updated_at: string;
  updated_by: string | null;
}

export interface BackupRunsTable {
  id: string;
  project_id: string;
  job_id: string | null;
  location: string; // the restic repository the snapshots are in
  reason: 'manual' | 'schedule' | 'deploy';
  status: 'running' | 'succeeded' | 'partial' | 'failed';
  size: number | string; // bytes read (bigint: a string on PostgreSQL)
  added: number | string; // bytes added to the repository
  items: string; // JSON BackupItem[]
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface NotificationChannelsTable {
  id: string;
  name: string;
  type: 'webhook' | 'slack' | 'discord' | 'ntfy' | 'email';
  config: string; // JSON, without secrets
  secrets: string; // JSON {field: encrypted envelope}
  events: string; // JSON string[]
  enabled: number;
  created_at: string;
  updated_at: string;
}

export interface NotificationDeliveriesTable {
  id: string;
  channel_id: string;
  event: string;
  group_key: string | null;
  payload: string; // JSON message (secrets masked)
  status: 'pending' | 'delivered' | 'failed' | 'canceled';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface NotificationAttemptsTable {
  id: string;
  delivery_id: string;
  channel_id: string;
  attempt: number;
  at: string;
  ok: number;
  status_code: number | null;
  message: string;
  duration_ms: number;
}

export interface NotificationGroupsTable {
  key: string;
  event: string;
  first_at: string;
  last_at: string;
  last_sent_at: string;
  suppressed: number;
  sample: string; // JSON message of the first occurrence
}

/** One sample of a container or the host (`target` = container id or `host`); `ts` in epoch ms. */
export interface MetricSamplesTable {
  target: string;
  ts: number;
  project_id: string | null;
  container_name: string | null;
  cpu: number | null;
  mem_used: number | null;
  mem_limit: number | null;
  /** Counters hold the amount since the previous sample (bytes, restarts), so sums are totals. */
  net_rx: number | null;
  net_tx: number | null;
  blk_read: number | null;
  blk_write: number | null;
  restarts: number | null;
  load1: number | null;
  disk_data_used: number | null;
  disk_data_total: number | null;
  disk_docker_used: number | null;
  disk_docker_total: number | null;
}

/** A 5-minute bucket: gauges averaged, counters summed, `n` samples. */
export interface MetricBucketsTable extends MetricSamplesTable {
  n: number;
  cpu_max: number | null;
  mem_max: number | null;
}

export interface MetricThresholdsTable {
  project_id: string;
  cpu_percent: number | null;
  cpu_minutes: number | null;
  memory_percent: number | null;
  memory_minutes: number | null;
  updated_at: string;
  updated_by: string | null;
}

/** One webhook or deploy-hook delivery and what it led to (one row per project it concerned). */
export interface HookDeliveriesTable {
  id: string;
  source: 'github' | 'deploy_hook';
  /** `X-GitHub-Delivery`, or this row's id for deploy hooks. */
  delivery_id: string | null;
  /** Set on the first row of a verified delivery; unique, so a redelivery is recognised. */
  dedupe_key: string | null;
  /** SHA-256 of the verified body (first row only); unique, so a replay under a new delivery id is recognised. */
  payload_sha256: string | null;
  event: string;
  repo: string | null;
  ref: string | null;
  commit_sha: string | null;
  result: 'deployed' | 'queued' | 'ignored' | 'rejected';
  reason: string | null;
  project_id: string | null;
  job_id: string | null;
  at: string;
}

/** A project's deploy-hook token (stored hashed; one per project, replaced on rotation). */
export interface DeployHooksTable {
  project_id: string;
  token_hash: string;
  hint: string | null;
  created_at: string;
  created_by: string | null;
  last_used_at: string | null;
}

export interface ReleasesTable {
  id: string;
  project_id: string;
  /** 1, 2, 3… per project: names the release (and its compose project, `warp-<slug>_<seq>`). */
  seq: number;
  /** `pending` while its deploy runs (never shown), `ready` once it passed and served. */
  status: 'pending' | 'ready';
  /** 1 for the release that serves the project now (at most one per project). */
  live: number;
  /** `rolling`: a Swarm project's start-first rolling update. */
  strategy: 'blue-green' | 'stop-start' | 'rolling';
  images: string; // JSON [{service, image, digest, imageId}]
  commit_sha: string | null;
  host_port: number | null;
  compose_project: string | null;
  content: string; // encrypted JSON: the container spec (with env) or the Compose model
  job_id: string | null;
  actor: string | null;
  created_at: string;
  /** When it last became live (its deploy, or a rollback to it). */
  activated_at: string | null;
}

/** The whole database. */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  login_tokens: LoginTokensTable;
  api_tokens: ApiTokensTable;
  settings: SettingsTable;
  onboarding: OnboardingTable;
  projects: ProjectsTable;
  deployments: DeploymentsTable;
  routes: RoutesTable;
  port_reservations: PortReservationsTable;
  jobs: JobsTable;
  job_logs: JobLogsTable;
  audit_log: AuditLogTable;
  backup_policies: BackupPoliciesTable;
  backup_runs: BackupRunsTable;
  webauthn_credentials: WebauthnCredentialsTable;
  notification_channels: NotificationChannelsTable;
  notification_deliveries: NotificationDeliveriesTable;
  notification_attempts: NotificationAttemptsTable;
  notification_groups: NotificationGroupsTable;
  metric_samples: MetricSamplesTable;
  metric_buckets: MetricBucketsTable;
  metric_thresholds: MetricThresholdsTable;
  hook_deliveries: HookDeliveriesTable;
  deploy_hooks: DeployHooksTable;
  releases: ReleasesTable;
}

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type ProjectRow = Selectable<ProjectsTable>;
export type NewProject = Insertable<ProjectsTable>;
export type ProjectUpdate = Updateable<ProjectsTable>;
export type RouteRow = Selectable<RoutesTable>;
export type JobRow = Selectable<JobsTable>;
export type JobLogRow = Selectable<JobLogsTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type WebauthnCredentialRow = Selectable<WebauthnCredentialsTable>;
export type DeploymentRow = Selectable<DeploymentsTable>;
export type BackupPolicyRow = Selectable<BackupPoliciesTable>;
export type BackupRunRow = Selectable<BackupRunsTable>;
export type NotificationChannelRow = Selectable<NotificationChannelsTable>;
export type NotificationDeliveryRow = Selectable<NotificationDeliveriesTable>;
export type NotificationAttemptRow = Selectable<NotificationAttemptsTable>;
export type NotificationGroupRow = Selectable<NotificationGroupsTable>;
export type MetricSampleRow = Selectable<MetricSamplesTable>;
export type MetricBucketRow = Selectable<MetricBucketsTable>;
export type MetricThresholdRow = Selectable<MetricThresholdsTable>;
export type HookDeliveryRow = Selectable<HookDeliveriesTable>;
export type DeployHookRow = Selectable<DeployHooksTable>;
export type ReleaseRow = Selectable<ReleasesTable>;
/** Kept for the rare table with a generated column. */
export type { Generated };
