import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { ApiError, api, health, qs } from './client.js';
// Signed in, the UI always gets the details (anonymous callers get only `{status}`).
import type {
  AuthMethods,
  ContainerStats,
  DockerHealth,
  Items,
  Job,
  JsonOf,
  Page,
  Passkey,
  Project,
  TunnelHealth,
} from './types.js';

/** Filters of the containers list (`GET /api/v1/containers`); `name` matches name or image (`q`). */
export interface ContainerFilters {
  state?: string;
  projectId?: string;
  name?: string;
}

/** Filters of the audit log (`GET /api/v1/audit`). */
export interface AuditFilters {
  action: string;
  actor: string;
  projectId: string;
}

/**
 * Every query key of the UI. Keys are prefixes of each other on purpose: invalidating `keys.tunnel` refreshes
 * both the tunnel state and its config preview, `keys.containers.all` every containers list.
 */
export const keys = {
  me: ['me'] as const,
  authMethods: ['auth', 'methods'] as const,
  passkeys: ['auth', 'passkeys'] as const,
  settings: ['settings'] as const,
  onboarding: ['onboarding'] as const,
  projects: ['projects'] as const,
  project: (id: string) => ['project', id] as const,
  projectPlan: (id: string) => ['project', id, 'plan'] as const,
  projectPolicy: (id: string) => ['project', id, 'policy'] as const,
  /** Under `projects`: a deploy or rollback that refreshes the projects refreshes the releases too. */
  releases: (id: string) => ['projects', id, 'releases'] as const,
  deliveries: (id: string) => ['project', id, 'deliveries'] as const,
  deliveriesAll: ['deliveries'] as const,
  jobs: {
    all: ['jobs'] as const,
    recent: ['jobs', 'recent'] as const,
    running: ['jobs', 'running'] as const,
    list: (status: string) => ['jobs', 'list', status] as const,
  },
  job: (id: string) => ['job', id] as const,
  containers: {
    all: ['containers'] as const,
    list: (filters: ContainerFilters) => ['containers', filters] as const,
    stats: (id: string) => ['containers', 'stats', id] as const,
  },
  hostRepos: ['host', 'repos'] as const,
  templates: ['templates'] as const,
  tokens: ['tokens'] as const,
  audit: (filters: AuditFilters) => ['audit', filters] as const,
  tunnel: {
    all: ['tunnel'] as const,
    state: ['tunnel', 'state'] as const,
    config: ['tunnel', 'config'] as const,
  },
  health: {
    all: ['health'] as const,
    docker: ['health', 'docker'] as const,
    tunnel: ['health', 'tunnel'] as const,
  },
  system: {
    docker: ['system', 'docker'] as const,
    host: ['system', 'host'] as const,
  },
  github: {
    all: ['github'] as const,
    appCheck: ['github', 'app', 'check'] as const,
  },
  nodes: ['nodes'] as const,
  projectTasks: (id: string) => ['project', id, 'tasks'] as const,
};

/** Query options (key + fetch) per API read; call sites add their own polling (`refetchInterval`, …). */
export const queries = {
  /** The signed-in user, or null when there is no session. */
  me: () =>
    queryOptions({
      queryKey: keys.me,
      queryFn: async () => {
        try {
          return await api<JsonOf<'/auth/me', 'get'>>('/auth/me');
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) return null;
          throw error;
        }
      },
    }),
  /** Which sign-in methods to offer (public). */
  authMethods: () =>
    queryOptions({
      queryKey: keys.authMethods,
      queryFn: () => api<AuthMethods>('/auth/methods'),
    }),
  /** The local admin's passkeys (`GET /auth/passkeys`). */
  passkeys: () =>
    queryOptions({
      queryKey: keys.passkeys,
      queryFn: () => api<Items<Passkey>>('/auth/passkeys'),
    }),
  settings: () =>
    queryOptions({
      queryKey: keys.settings,
      queryFn: () => api<JsonOf<'/api/v1/settings', 'get'>>('/api/v1/settings'),
    }),
  onboarding: () =>
    queryOptions({
      queryKey: keys.onboarding,
      queryFn: () => api<JsonOf<'/api/v1/onboarding', 'get'>>('/api/v1/onboarding'),
    }),
  projects: () =>
    queryOptions({
      queryKey: keys.projects,
      queryFn: () => api<Items<Project>>('/api/v1/projects'),
    }),
  project: (id: string) =>
    queryOptions({
      queryKey: keys.project(id),
      queryFn: () => api<Project>(`/api/v1/projects/${id}`),
    }),
  /** What the project may do beyond the least-privilege policy, and every exception there is. */
  projectPolicy: (id: string) =>
    queryOptions({
      queryKey: keys.projectPolicy(id),
      queryFn: () => api<JsonOf<'/api/v1/projects/{id}/policy', 'get'>>(`/api/v1/projects/${id}/policy`),
    }),
  /** The compose plan that runs now (404 before the first deploy of a compose project). */
  projectPlan: (id: string) =>
    queryOptions({
      queryKey: keys.projectPlan(id),
      queryFn: () => api<JsonOf<'/api/v1/projects/{id}/plan', 'get'>>(`/api/v1/projects/${id}/plan`),
    }),
  /** A project's webhook and deploy-hook deliveries (newest first), its branch and its deploy hook. */
  deliveries: (id: string) =>
    queryOptions({
      queryKey: keys.deliveries(id),
      queryFn: () =>
        api<JsonOf<'/api/v1/projects/{id}/deliveries', 'get'>>(`/api/v1/projects/${id}/deliveries`),
    }),
  /** The newest deliveries overall (settings). */
  deliveriesAll: () =>
    queryOptions({
      queryKey: keys.deliveriesAll,
      queryFn: () => api<JsonOf<'/api/v1/deliveries', 'get'>>('/api/v1/deliveries'),
    }),
  jobs: {
    /** The latest 100 jobs (the dashboard shows each project's last one). */
    recent: () =>
      queryOptions({
        queryKey: keys.jobs.recent,
        queryFn: () => api<Page<Job>>('/api/v1/jobs?limit=100'),
      }),
    running: () =>
      queryOptions({
        queryKey: keys.jobs.running,
        queryFn: () => api<Page<Job>>('/api/v1/jobs?status=running'),
      }),
    /** All jobs, newest first, optionally of one status ('' = any), paged by nextCursor. */
    list: (status: string) =>
      infiniteQueryOptions({
        queryKey: keys.jobs.list(status),
        queryFn: ({ pageParam }) => api<Page<Job>>(`/api/v1/jobs${qs({ status, cursor: pageParam })}`),
        initialPageParam: null as string | null,
        getNextPageParam: (last) => last.nextCursor,
      }),
  },
  job: (id: string) =>
    queryOptions({
      queryKey: keys.job(id),
      queryFn: () => api<Job>(`/api/v1/jobs/${id}`),
    }),
  containers: (filters: ContainerFilters) =>
    queryOptions({
      queryKey: keys.containers.list(filters),
      queryFn: () =>
        api<JsonOf<'/api/v1/containers', 'get'>>(
          `/api/v1/containers${qs({ state: filters.state, projectId: filters.projectId, q: filters.name?.trim() })}`,
        ),
    }),
  /** CPU and memory of one container now (the engine takes about a second to sample). */
  containerStats: (id: string) =>
    queryOptions({
      queryKey: keys.containers.stats(id),
      queryFn: () => api<ContainerStats>(`/api/v1/containers/${encodeURIComponent(id)}/stats`),
    }),
  hostRepos: () =>
    queryOptions({
      queryKey: keys.hostRepos,
      queryFn: () => api<JsonOf<'/api/v1/host/repos', 'get'>>('/api/v1/host/repos'),
    }),
  templates: () =>
    queryOptions({
      queryKey: keys.templates,
      queryFn: () => api<JsonOf<'/api/v1/templates', 'get'>>('/api/v1/templates'),
    }),
  tokens: () =>
    queryOptions({
      queryKey: keys.tokens,
      queryFn: () => api<JsonOf<'/api/v1/tokens', 'get'>>('/api/v1/tokens'),
    }),
  /** The audit log, newest first, paged by nextCursor. */
  audit: (filters: AuditFilters) =>
    infiniteQueryOptions({
      queryKey: keys.audit(filters),
      queryFn: ({ pageParam }) =>
        api<JsonOf<'/api/v1/audit', 'get'>>(`/api/v1/audit${qs({ ...filters, cursor: pageParam })}`),
      initialPageParam: null as string | null,
      getNextPageParam: (last) => last.nextCursor,
    }),
  tunnel: {
    state: () =>
      queryOptions({
        queryKey: keys.tunnel.state,
        queryFn: () => api<JsonOf<'/api/v1/tunnel', 'get'>>('/api/v1/tunnel'),
      }),
    config: () =>
      queryOptions({
        queryKey: keys.tunnel.config,
        queryFn: () => api<JsonOf<'/api/v1/tunnel/config', 'get'>>('/api/v1/tunnel/config'),
      }),
  },
  health: {
    /** 200 or 503, both with a body (health() returns it either way). */
    docker: () =>
      queryOptions({
        queryKey: keys.health.docker,
        queryFn: () => health<DockerHealth>('/health/docker'),
      }),
    tunnel: () =>
      queryOptions({
        queryKey: keys.health.tunnel,
        queryFn: () => health<TunnelHealth>('/health/tunnel'),
      }),
  },
  system: {
    docker: () =>
      queryOptions({
        queryKey: keys.system.docker,
        queryFn: () => api<JsonOf<'/api/v1/system/docker', 'get'>>('/api/v1/system/docker'),
      }),
    host: () =>
      queryOptions({
        queryKey: keys.system.host,
        queryFn: () => api<JsonOf<'/api/v1/system/host', 'get'>>('/api/v1/system/host'),
      }),
  },
  /** The engine's mode and, on Swarm, its nodes. */
  nodes: () =>
    queryOptions({
      queryKey: keys.nodes,
      queryFn: () => api<JsonOf<'/api/v1/nodes', 'get'>>('/api/v1/nodes'),
    }),
  /** Tasks of a Swarm project, with node and state. */
  projectTasks: (id: string) =>
    queryOptions({
      queryKey: keys.projectTasks(id),
      queryFn: () => api<JsonOf<'/api/v1/projects/{id}/tasks', 'get'>>(`/api/v1/projects/${id}/tasks`),
    }),
  githubAppCheck: () =>
    queryOptions({
      queryKey: keys.github.appCheck,
      queryFn: () => api<JsonOf<'/api/v1/github/app/check', 'get'>>('/api/v1/github/app/check'),
    }),
};
