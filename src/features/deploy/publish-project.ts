import type { ProjectRow } from '../../db/schema.js';
import type { JobContext } from '../jobs/index.js';
import type { DeployDeps } from './deploy-deps.js';

/**
 * Publish the project's hostname; a route left at an older hostname (the subdomain was changed since)
 * is removed first, so a project is reachable at exactly one hostname.
 */
export async function publishProject(
  deps: Pick<DeployDeps, 'publisher'>,
  ctx: JobContext,
  row: Pick<ProjectRow, 'id' | 'hostname'>,
  service: string,
  step = `Publishing ${row.hostname}`,
): Promise<void> {
  const stale = (await deps.publisher.hostnames(row.id)).filter((h) => h !== row.hostname);
  if (stale.length > 0) {
    await ctx.step(`Removing the old route ${stale.join(', ')}`, () => deps.publisher.unpublish(ctx, row.id));
  }
  await ctx.step(step, () =>
    deps.publisher.publish(ctx, { projectId: row.id, hostname: row.hostname!, service }),
  );
}
