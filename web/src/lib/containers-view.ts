import type { Container, ContainerStats } from '../api/types.js';

/**
 * An image reference as people say it: no registry host, no `library/`, no digest — `nginx:1.25`,
 * `org/app:1.2`; an image known only by its id shows 12 hex digits. The full reference goes on hover.
 */
export function shortImage(image: string): string {
  if (/^sha256:[0-9a-f]{12,}$/.test(image)) return image.slice(0, 19);
  let ref = image.split('@')[0] ?? image;
  const slash = ref.indexOf('/');
  if (slash > 0) {
    const first = ref.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') ref = ref.slice(slash + 1);
  }
  return ref.replace(/^library\//, '') || image;
}

/** The digest to show on hover: the image id the container runs, and a pinned digest when there is one. */
export function imageTitle(c: Pick<Container, 'image'> & { imageId?: string }): string {
  const pinned = c.image.includes('@') ? c.image.slice(c.image.indexOf('@') + 1) : null;
  return [c.image, pinned && `digest ${pinned}`, c.imageId && `image ${c.imageId}`]
    .filter(Boolean)
    .join('\n');
}

/** A group of containers: one project, one compose project the panel does not manage, or the rest. */
export interface ContainerGroup {
  key: string;
  title: string;
  projectId: string | null;
  items: Container[];
}

/** Group by project (by name), then foreign compose projects, then the containers that belong to none. */
export function groupContainers(items: Container[], projectName: Map<string, string>): ContainerGroup[] {
  const groups = new Map<string, ContainerGroup>();
  for (const c of items) {
    const key = c.projectId ? `p:${c.projectId}` : c.composeProject ? `c:${c.composeProject}` : 'none';
    let g = groups.get(key);
    if (!g) {
      const title = c.projectId
        ? (projectName.get(c.projectId) ?? 'A project')
        : c.composeProject
          ? `Compose project ${c.composeProject}`
          : 'Not in a project';
      g = { key, title, projectId: c.projectId, items: [] };
      groups.set(key, g);
    }
    g.items.push(c);
  }
  const rank = (g: ContainerGroup) => (g.key.startsWith('p:') ? 0 : g.key.startsWith('c:') ? 1 : 2);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b) || a.title.localeCompare(b.title));
}

/** The first `limit` containers of the groups, in order (groups past the limit are left out). */
export function firstRows<T extends { items: unknown[] }>(groups: T[], limit: number): T[] {
  const out: T[] = [];
  let left = limit;
  for (const g of groups) {
    if (left <= 0) break;
    out.push({ ...g, items: g.items.slice(0, left) });
    left -= g.items.length;
  }
  return out;
}

/** Columns the containers can be sorted by. */
export type SortKey = 'name' | 'state' | 'image' | 'cpu' | 'memory' | 'created';
/** A sort: the column and its direction. */
export interface Sort {
  key: SortKey;
  dir: 1 | -1;
}

const STATE_ORDER = ['running', 'restarting', 'paused', 'created', 'exited', 'dead', 'removing'];

/** Sort one group's containers; usage figures not known yet go last whatever the direction. */
export function sortContainers(
  items: Container[],
  sort: Sort,
  stats: Map<string, ContainerStats | undefined>,
): Container[] {
  const value = (c: Container): string | number | null => {
    switch (sort.key) {
      case 'name':
        return c.name.toLowerCase();
      case 'state':
        return STATE_ORDER.indexOf(c.state);
      case 'image':
        return shortImage(c.image).toLowerCase();
      case 'cpu':
        return stats.get(c.id)?.cpuPercent ?? null;
      case 'memory':
        return stats.get(c.id)?.memoryBytes ?? null;
      case 'created':
        return Date.parse(c.createdAt);
    }
  };
  return [...items].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1;
    const d =
      typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return (d || a.name.localeCompare(b.name)) * sort.dir;
  });
}

/** "12.5 %" of one CPU. */
export const formatCpu = (pct: number | null | undefined): string =>
  pct === null || pct === undefined ? '—' : `${pct < 10 ? pct.toFixed(1) : Math.round(pct)} %`;
