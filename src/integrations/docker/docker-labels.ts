/** Label on every Docker object the panel creates. */
export const LABEL_MANAGED = 'warp.managed';
/** Label naming the owning project id. */
export const LABEL_PROJECT = 'warp.project';
/** Compose's project label (v1 and v2). */
export const LABEL_COMPOSE_PROJECT = 'com.docker.compose.project';

/** The labels of a panel-managed object of a project. */
export const managedLabels = (projectId: string): Record<string, string> => ({
  [LABEL_MANAGED]: 'true',
  [LABEL_PROJECT]: projectId,
});

/** A container's name without the engine's leading slash. */
export const containerName = (names: readonly string[] | undefined): string =>
  (names?.[0] ?? '').replace(/^\//, '');
