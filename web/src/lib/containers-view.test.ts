import { describe, expect, it } from 'vitest';
import type { Container, ContainerStats } from '../api/types.js';
import { firstRows, groupContainers, imageTitle, shortImage, sortContainers } from './containers-view.js';

const c = (over: Partial<Container>): Container => ({
  id: over.name ?? 'x',
  name: 'x',
  image: 'busybox',
  imageId: 'sha256:0000',
  state: 'running',
  status: 'Up',
  createdAt: '2024-01-01T00:00:00Z',
  ports: [],
  projectId: null,
  composeProject: null,
  managed: true,
  ...over,
});

describe('containers as people read them', () => {
  it.each([
    ['docker.io/library/nginx:1.25', 'nginx:1.25'],
    ['nginx', 'nginx'],
    [`ghcr.io/org/app:1.2@sha256:${'a'.repeat(64)}`, 'org/app:1.2'],
    ['localhost:5000/team/api', 'team/api'],
    ['excalidraw/excalidraw:latest', 'excalidraw/excalidraw:latest'],
    [`sha256:${'b'.repeat(64)}`, 'sha256:bbbbbbbbbbbb'],
  ])('%s → %s', (image, short) => {
    expect(shortImage(image)).toBe(short);
  });

  it('puts the digests on hover', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(imageTitle({ image: `org/app@${d}`, imageId: 'sha256:beef' })).toBe(
      `org/app@${d}\ndigest ${d}\nimage sha256:beef`,
    );
  });

  it('groups by project first, then foreign compose projects, then the rest', () => {
    const groups = groupContainers(
      [
        c({ name: 'loose' }),
        c({ name: 'db', composeProject: 'shop' }),
        c({ name: 'web', projectId: 'p1' }),
        c({ name: 'api', projectId: 'p2' }),
      ],
      new Map([
        ['p1', 'zeta'],
        ['p2', 'alpha'],
      ]),
    );
    expect(groups.map((g) => [g.title, g.items.map((i) => i.name)])).toEqual([
      ['alpha', ['api']],
      ['zeta', ['web']],
      ['Compose project shop', ['db']],
      ['Not in a project', ['loose']],
    ]);
  });

  it('sorts by a column, usage not yet known last', () => {
    const items = [c({ name: 'a' }), c({ name: 'b' }), c({ name: 'c' })];
    const stats = new Map<string, ContainerStats | undefined>([
      ['a', { id: 'a', running: true, cpuPercent: 5, memoryBytes: 300, memoryLimitBytes: null, at: '' }],
      ['b', { id: 'b', running: true, cpuPercent: 50, memoryBytes: 100, memoryLimitBytes: null, at: '' }],
    ]);
    expect(sortContainers(items, { key: 'cpu', dir: -1 }, stats).map((x) => x.name)).toEqual(['b', 'a', 'c']);
    expect(sortContainers(items, { key: 'memory', dir: 1 }, stats).map((x) => x.name)).toEqual([
      'b',
      'a',
      'c',
    ]);
    expect(sortContainers(items, { key: 'name', dir: -1 }, stats).map((x) => x.name)).toEqual([
      'c',
      'b',
      'a',
    ]);
  });

  it('draws only the first rows of a long list, group by group', () => {
    const groups = [
      { key: 'a', items: [1, 2, 3] },
      { key: 'b', items: [4, 5] },
      { key: 'c', items: [6] },
    ];
    expect(firstRows(groups, 4).map((g) => g.items)).toEqual([[1, 2, 3], [4]]);
    expect(firstRows(groups, 10).map((g) => g.items)).toEqual([[1, 2, 3], [4, 5], [6]]);
  });
});
