import type { ProjectRow } from '../../db/schema.js';
import {
  LABEL_COMPOSE_PROJECT,
  LABEL_MANAGED,
  LABEL_PROJECT,
} from '../../integrations/docker/docker-labels.js';
import { parseJson } from '../../lib/json.js';

/** One `filters` argument of the engine's container list. */
export type ListFilter = Record<string, string[]>;

/** An exact-name filter: the engine matches `name` values as regular expressions on `/<name>`. */
const exactName = (name: string) => `^/${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;

/**
 * The engine lists that together hold every container that can belong to a project — carrying its
 * `warp.project` label, in its compose project, or named as one of its containers (the three ways a
 * container is tied to a project) — so a project's page asks the engine for its few containers instead of
 * every container on the host. The caller still decides with the same rule as for the full list; these
 * only narrow what the engine sends. The names come second (`byName`), only for the names the label lists
 * did not return: the engine runs a name filter as one regular expression per name and container, which
 * costs more on a host with many containers than the full list, and the panel's own containers carry the
 * labels. `managedOnly` (operators) adds the managed label to each.
 */
export function projectListFilters(
  projectId: string,
  project: Pick<ProjectRow, 'container_names' | 'compose_project'> | undefined,
  managedOnly: boolean,
): { byLabel: ListFilter[]; names: string[]; byName: (names: string[]) => ListFilter | null } {
  const managed = managedOnly ? [`${LABEL_MANAGED}=true`] : [];
  const byLabel: ListFilter[] = [{ label: [`${LABEL_PROJECT}=${projectId}`, ...managed] }];
  if (project?.compose_project)
    byLabel.push({ label: [`${LABEL_COMPOSE_PROJECT}=${project.compose_project}`, ...managed] });
  return {
    byLabel,
    names: parseJson<string[]>(project?.container_names ?? '[]', []),
    byName: (names) =>
      names.length === 0 ? null : { name: names.map(exactName), ...(managedOnly ? { label: managed } : {}) },
  };
}
