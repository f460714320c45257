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
  status: 'pending' | 'deploying' | 'running' | 'stopped' | 'failed' | 'removed';
  repo_owner: string | null;
  repo_name: string | null;
  repo_url: string | null;
  image: string | null;
  path: string | null;
  compose_project: string | null;
  container_names: string; // JSON string[]
  spec: string; // JSON: kind-specific deploy input (container port, env names, …)
  created_by: string | null;
  created_at: string;
  updated_at: string;
  last_job_id: string | null;
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
export type DeploymentRow = Selectable<DeploymentsTable>;
/** Kept for the rare table with a generated column. */
export type { Generated };
