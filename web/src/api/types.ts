// Types shared with the server where its schemas exist (type-only imports: nothing of the server is bundled);
// the others follow API.md until their server schemas land.
import type { z } from 'zod';
import type { projectSchema } from '../../../src/features/deploy/deploy.schemas.js';
import type { jobSchema } from '../../../src/features/jobs/jobs.schemas.js';
import type {
  metricsResponseSchema,
  thresholdsSchema,
} from '../../../src/features/metrics/metrics.schemas.js';
import type {
  attemptSchema,
  channelSchema,
} from '../../../src/features/notifications/notifications.schemas.js';
import type { SettingsView } from '../../../src/features/settings/settings.schema.js';
import type { ingressRuleSchema } from '../../../src/features/tunnel/tunnel.schemas.js';
import type { userSchema } from '../../../src/http/schemas.js';

/** API.md's User. */
export type User = z.infer<typeof userSchema>;
/** Settings as `GET /api/v1/settings` returns them. */
export type Settings = SettingsView;
/** A secret setting as the API shows it. */
export type SecretView = { set: boolean; hint: string | null };

/** A list response. */
export interface Items<T> {
  items: T[];
}
/** A paged list response. */
export interface Page<T> extends Items<T> {
  nextCursor: string | null;
}

/** `GET /auth/me`. */
export interface Me {
  user: User;
  session: { expiresAt: string | null };
}

/** Per-user onboarding state. */
export interface Onboarding {
  completed: boolean;
  completedAt: string | null;
  steps: Record<string, boolean>;
}

/** API.md's Project (the server's schema). */
export type Project = z.infer<typeof projectSchema>;

/** Job states. */
export type JobStatus = Job['status'];

/** API.md's Job (the server's schema). */
export type Job = z.infer<typeof jobSchema>;

/** One persisted job log line. */
export interface JobLogLine {
  seq: number;
  ts: string;
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
}

/** A 202 answer of the deploy endpoints. */
export interface Accepted {
  project?: Project;
  job: Job;
}

/** API.md's Container. */
export interface Container {
  id: string;
  name: string;
  image: string;
  state: 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead';
  status: string;
  createdAt: string;
  ports: { hostIp: string | null; hostPort: number | null; containerPort: number; protocol: string }[];
  projectId: string | null;
  composeProject: string | null;
  managed: boolean;
}

/** One line of the multi-container live log. */
export interface ContainerLogLine {
  containerId: string;
  containerName: string;
  stream: string;
  ts: string;
  text: string;
}

/** A cloudflared ingress rule (the server's schema). */
export type IngressRule = z.infer<typeof ingressRuleSchema>;

/** `GET /api/v1/tunnel`. */
export interface TunnelState {
  mode: string;
  name: string | null;
  id: string | null;
  rules: IngressRule[];
  connections:
    | {
        id: string;
        coloName: string | null;
        openedAt: string | null;
        originIp: string | null;
        clientId: string | null;
        clientVersion: string | null;
        pendingReconnect: boolean;
      }[]
    | null;
  lastRestartAt: string | null;
}

/** `GET /api/v1/tunnel/config`. */
export interface TunnelConfig {
  path: string;
  content: string;
  valid: boolean;
  errors: string[];
  rules: IngressRule[];
}

/** `GET /health/tunnel` (200 or 503). */
export interface TunnelHealth {
  status: 'ok' | 'degraded' | 'down' | 'unconfigured';
  mode: string;
  tunnel: { name: string; id: string | null } | null;
  connections: number | null;
  config: { path: string; valid: boolean; errors: string[] };
}

/** `GET /health/docker` (200 or 503). */
export interface DockerHealth {
  status: 'ok' | 'down';
  engineVersion?: string;
  apiVersion?: string;
  latencyMs?: number;
  message?: string;
}

/** `GET /api/v1/system/docker`. */
export interface DockerUsage {
  containers: { total: number; running: number; stopped: number };
  images: { count: number; size: number };
  volumes: { count: number; size: number };
  buildCache: { size: number };
  totalSize: number;
  reclaimable: number;
  measuredAt: string;
}

/** `GET /api/v1/system/host`. */
export interface HostResources {
  cpus: number;
  memoryTotal: number;
  memoryAvailable: number;
  load: number[];
  disk: { path: string; total: number; free: number };
}

/** A compose project under the repos root. */
export interface HostRepo {
  name: string;
  path: string;
  composeProject: string;
  status: 'running' | 'partial' | 'stopped' | 'not-deployed';
  services: string[];
  projectId: string | null;
}

/** An allow-listed template repository. */
export interface Template {
  fullName: string;
  description: string | null;
  private: boolean;
  defaultBranch: string;
}

/** An API token as listed (never the token itself). */
export interface ApiToken {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  userId: string;
}

/** One audit log entry. */
export interface AuditEntry {
  id: string;
  at: string;
  actor: string | null;
  action: string;
  target: string | null;
  result: 'ok' | 'error';
  requestId: string | null;
  ip: string | null;
  projectId?: string | null;
  details: Record<string, unknown>;
}

/** `GET /api/v1/metrics`. */
export type MetricsResponse = z.infer<typeof metricsResponseSchema>;
/** One series of it. */
export type MetricSeries = MetricsResponse['series'][number];
/** A project's CPU and memory thresholds. */
export type Thresholds = z.infer<typeof thresholdsSchema>;
/** A notification channel (secrets as `{set, hint}`). */
export type Channel = z.infer<typeof channelSchema>;
/** One delivery attempt of the notification log. */
export type DeliveryAttempt = z.infer<typeof attemptSchema>;
