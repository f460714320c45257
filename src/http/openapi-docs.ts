import type { RouteOptions } from 'fastify';
import { authLevelOf } from './plugins/auth.js';
import { errorBodySchema } from './schemas.js';

/** Statuses a route's own work can answer besides the ones its shape implies (see `documentRoute`). */
type DomainStatus = 404 | 409 | 413 | 422 | 502;

/**
 * A summary and the domain errors of each existing operation, for routes that do not declare them in
 * their schema (`summary`, `withErrors(ok, [409, 502])`). A route without either is caught by
 * test/integration/openapi.test.ts, like a route without an authorization decision.
 */
const OPERATIONS: Record<string, { summary: string; errors?: DomainStatus[] }> = {
  'GET /healthz': { summary: 'Liveness: the version and uptime' },
  'GET /health/docker': { summary: 'Whether the Docker engine answers' },
  'GET /health/tunnel': { summary: 'Whether the tunnel is up' },
  'POST /auth/token': { summary: 'Sign in as the local admin with a single-use login token' },
  'GET /auth/me': { summary: 'The signed-in user and when the session expires', errors: [404] },
  'POST /auth/logout': { summary: 'End the session' },
  'GET /auth/login': { summary: 'Start the GitHub sign-in (redirect)', errors: [422] },
  'GET /auth/callback': { summary: 'Finish the GitHub sign-in', errors: [409, 422, 502] },
  'GET /api/v1/tokens': { summary: 'List API tokens' },
  'POST /api/v1/tokens': { summary: 'Create an API token (shown once)' },
  'DELETE /api/v1/tokens/:id': { summary: 'Revoke an API token' },
  'GET /api/v1/settings': { summary: 'Read the settings (secrets as set/hint)' },
  'PATCH /api/v1/settings': { summary: 'Change settings' },
  'GET /api/v1/templates': { summary: 'Allow-listed template repositories', errors: [422, 502] },
  'GET /api/v1/github/app/check': { summary: "Check the GitHub App's permissions", errors: [422, 502] },
  'GET /api/v1/onboarding': { summary: "The signed-in user's onboarding state" },
  'PATCH /api/v1/onboarding': { summary: "Change the signed-in user's onboarding state" },
  'GET /api/v1/audit': { summary: 'The audit log (paged)' },
  'GET /api/v1/jobs': { summary: 'List jobs (paged, filtered)' },
  'GET /api/v1/jobs/:id': { summary: 'One job' },
  'GET /api/v1/jobs/:id/logs': { summary: "A job's log lines after a sequence number" },
  'GET /api/v1/jobs/:id/logs/stream': { summary: "Follow a job's log (server-sent events)" },
  'POST /api/v1/jobs/:id/cancel': { summary: 'Cancel a job', errors: [409] },
  'GET /api/v1/containers': { summary: 'List containers', errors: [502] },
  'GET /api/v1/containers/logs/stream': {
    summary: 'Follow the logs of matching containers (server-sent events)',
    errors: [502],
  },
  'POST /api/v1/containers/:id/stop': { summary: 'Stop a container', errors: [409, 502] },
  'POST /api/v1/containers/:id/restart': { summary: 'Restart a container', errors: [409, 502] },
  'DELETE /api/v1/containers/:id': { summary: 'Remove a container', errors: [409, 502] },
  'GET /api/v1/containers/:id/logs': { summary: "A container's recent log lines", errors: [502] },
  'GET /api/v1/system/docker': { summary: 'Docker disk usage (cached)', errors: [502] },
  'GET /api/v1/system/host': { summary: 'Host CPU, memory, load and disk' },
  'GET /api/v1/tunnel': { summary: 'The tunnel, its rules and connections', errors: [422, 502] },
  'GET /api/v1/tunnel/config': { summary: "Preview cloudflared's config.yml", errors: [422] },
  'GET /api/v1/projects': { summary: 'List projects' },
  'GET /api/v1/projects/:id': { summary: 'One project' },
  'POST /api/v1/projects/quick-service': {
    summary: 'Deploy a quick service from an image',
    errors: [409, 422, 502],
  },
  'POST /api/v1/projects/from-template': {
    summary: 'Create a repository from a template and deploy it',
    errors: [409, 422, 502],
  },
  'POST /api/v1/projects/deploy-existing': {
    summary: 'Deploy a repository or a folder under the repos root',
    errors: [409, 422, 502],
  },
  'POST /api/v1/projects/:id/redeploy': { summary: 'Deploy the project again (also after a failed deploy)' },
  'PATCH /api/v1/projects/:id': { summary: 'Change what the next deploy uses', errors: [409, 422, 502] },
  'POST /api/v1/projects/:id/stop': { summary: "Stop the project's containers", errors: [409] },
  'POST /api/v1/projects/:id/start': { summary: "Start the project's containers", errors: [409] },
  'POST /api/v1/projects/:id/restart': { summary: "Restart the project's containers", errors: [409] },
  'DELETE /api/v1/projects/:id': { summary: 'Remove the project (containers, route, port)' },
  'POST /api/v1/forwards': { summary: 'Publish a port that already listens on the host', errors: [409, 422] },
  'GET /api/v1/host/repos': { summary: 'Compose projects found under the repos root', errors: [502] },
  'POST /api/v1/host/repos/:name/stop': { summary: 'Stop a compose project of the repos root' },
  'POST /api/v1/host/repos/:name/restart': { summary: 'Restart a compose project of the repos root' },
  'GET /auth/methods': { summary: 'Which sign-in methods the sign-in page can offer' },
  'GET /auth/passkeys': { summary: "List the local admin's passkeys", errors: [422] },
  'POST /auth/passkeys/register/options': { summary: 'Start registering a passkey', errors: [422] },
  'POST /auth/passkeys/register': { summary: 'Finish registering a passkey', errors: [422] },
  'DELETE /auth/passkeys/:id': { summary: 'Remove a passkey', errors: [422] },
  'POST /auth/passkeys/login/options': { summary: 'Start a passkey sign-in' },
  'POST /auth/passkeys/login': { summary: 'Sign in with a passkey' },
  'PUT /auth/password': { summary: "Set or change the local admin's password", errors: [422] },
  'DELETE /auth/password': { summary: "Remove the local admin's password", errors: [422] },
  'POST /auth/password/login': { summary: 'Sign in as the local admin with the password' },
  'POST /api/v1/registries/:host/check': {
    summary: 'Check the credentials saved (or given) for a registry',
    errors: [404],
  },
  'GET /api/v1/projects/:id/plan': { summary: 'The compose plan that runs now', errors: [404] },
  'GET /api/v1/projects/:id/backup-policy': {
    summary: "A project's backup policy (S3 keys as set/hint)",
    errors: [404],
  },
  'PUT /api/v1/projects/:id/backup-policy': { summary: "Set a project's backup policy", errors: [404] },
  'POST /api/v1/projects/:id/backups': { summary: 'Back up a project now', errors: [404, 409, 422] },
  'GET /api/v1/projects/:id/backups': { summary: "A project's backups, newest first", errors: [404] },
  'POST /api/v1/projects/:id/backups/verify': {
    summary: 'Restore the latest backup to a scratch place and verify it',
    errors: [404, 422],
  },
  'POST /api/v1/projects/:id/backups/:bid/restore': {
    summary: 'Restore a backup into the project or into new volumes',
    errors: [404, 409],
  },
  'GET /api/v1/backups/status': { summary: 'Backup state per project (for the dashboard)' },
  'GET /api/v1/notifications/channels': { summary: 'List notification channels (secrets as set/hint)' },
  'POST /api/v1/notifications/channels': { summary: 'Add a notification channel' },
  'GET /api/v1/notifications/channels/:id': { summary: 'One notification channel', errors: [404] },
  'PATCH /api/v1/notifications/channels/:id': { summary: 'Change a notification channel', errors: [404] },
  'DELETE /api/v1/notifications/channels/:id': { summary: 'Remove a notification channel', errors: [404] },
  'POST /api/v1/notifications/channels/:id/test': {
    summary: 'Send a test message and report what the receiver answered',
    errors: [404],
  },
  'GET /api/v1/notifications/deliveries': { summary: 'Delivery attempts, newest first (paged)' },
  'GET /api/v1/metrics': {
    summary: 'Metrics series of the host, a project or a container over a range',
    errors: [404],
  },
  'GET /api/v1/projects/:id/releases': {
    summary: "A project's releases, newest first, the one that serves marked live",
    errors: [404],
  },
  'POST /api/v1/projects/:id/releases/:rid/rollback': {
    summary: 'Roll back: run that release again exactly (its images by digest, its commit, its model)',
    errors: [404, 409],
  },
  'GET /api/v1/projects/:id/thresholds': {
    summary: "A project's CPU and memory alert thresholds",
    errors: [404],
  },
  'PUT /api/v1/projects/:id/thresholds': {
    summary: "Set a project's CPU and memory alert thresholds",
    errors: [404],
  },
  'GET /api/v1/projects/:id/deliveries': {
    summary: "A project's webhook and deploy-hook deliveries, with the reason each did or did not deploy",
    errors: [404],
  },
  'GET /api/v1/deliveries': { summary: 'The newest deliveries of every project (settings)' },
  'POST /api/v1/projects/:id/deploy-hook': {
    summary: "Create or rotate a project's deploy hook (the token is shown once)",
    errors: [404],
  },
  'GET /api/v1/nodes': {
    summary: "The engine's mode (single engine or Swarm) and the Swarm's nodes",
    errors: [502],
  },
  'POST /api/v1/nodes/:id/drain': {
    summary: 'Drain a Swarm node: its tasks move to the other nodes',
    errors: [404, 422, 502],
  },
  'POST /api/v1/nodes/:id/activate': {
    summary: 'Make a drained Swarm node available again',
    errors: [404, 422, 502],
  },
  'GET /api/v1/nodes/join': {
    summary: 'The command that joins a machine to the Swarm as a worker (the token is a secret)',
    errors: [422, 502],
  },
  'GET /api/v1/projects/:id/tasks': {
    summary: "A Swarm project's tasks with node and state",
    errors: [404, 409, 422, 502],
  },
  'GET /api/v1/projects/:id/service-logs': {
    summary: "The last log lines of a Swarm project's services, across their tasks on every node",
    errors: [404, 409, 422, 502],
  },
  'GET /api/v1/projects/:id/service-logs/stream': {
    summary: "Follow a Swarm project's service logs live (SSE)",
    errors: [404, 409, 422, 502],
  },
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ERROR_WORDS: Record<number, string> = {
  400: 'The request is invalid (details name each field)',
  401: 'Not signed in, or the session or API token is invalid',
  403: 'Not allowed: the role is too low, or a cookie write lacks X-Warp-Request: 1',
  404: 'Not found',
  409: 'Conflicts with the current state (the message names what holds it)',
  413: 'The body is too large',
  422: 'A precondition is missing (a setting, a configured integration)',
  429: 'Too many requests; try again later',
  500: 'Internal error',
  502: 'An upstream (Docker, GitHub, Cloudflare) failed; the message quotes it',
  503: 'The database is unavailable',
};

type Schema = Record<string, unknown> & { response?: Record<string, unknown> };

/**
 * Fill in what clients need from every operation before the OpenAPI document is built: a summary,
 * who may call it (`security`, `x-warp-role`) and the error responses it can really give — the ones
 * its shape implies (input → 400, signed-in → 401, admin or cookie write → 403, path id → 404,
 * rate limit → 429, always 500/503) plus its declared domain errors.
 */
export function documentRoute(route: RouteOptions): void {
  const schema = route.schema as Schema | undefined;
  if (!schema || schema.hide) return;
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const method = methods.find((m) => m !== 'HEAD') ?? methods[0]!;
  const level = authLevelOf(
    route.url,
    (route.config as { auth?: 'public' | 'user' | 'admin' } | undefined)?.auth,
  );
  const known = OPERATIONS[`${method} ${route.url}`];
  if (!schema.summary && known) schema.summary = known.summary;
  schema.security = level === 'public' ? [] : [{ bearer: [] }, { session: [] }];
  schema['x-warp-role'] = level;
  const statuses = new Set<number>([500, 503, ...(known?.errors ?? [])]);
  if (schema.body || schema.querystring || schema.params) statuses.add(400);
  if (level !== 'public') statuses.add(401);
  if (level === 'admin' || (level !== 'public' && WRITES.has(method))) statuses.add(403);
  if (schema.params) statuses.add(404);
  if ((route.config as { rateLimit?: unknown } | undefined)?.rateLimit) statuses.add(429);
  schema.response ??= {};
  const response = schema.response;
  for (const code of Object.keys(response).map(Number)) {
    // Declared by the route (withErrors' extras): keep.
    if (code >= 400) statuses.add(code);
  }
  for (const code of statuses) {
    // The content form carries a description and keeps `$ref: Error` (the shared component).
    if (response[code] === undefined || response[code] === errorBodySchema) {
      response[code] = {
        description: ERROR_WORDS[code] ?? 'Error',
        content: { 'application/json': { schema: errorBodySchema } },
      };
    }
  }
}
