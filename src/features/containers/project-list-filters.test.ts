import { describe, expect, it } from 'vitest';
import { projectListFilters } from './project-list-filters.js';

describe('projectListFilters', () => {
  it('asks for the project label and its compose project; its container names (exactly) only when asked', () => {
    const row = { container_names: JSON.stringify(['web', 'app.v2']), compose_project: 'warp-shop' };
    const f = projectListFilters('p1', row, false);
    expect(f.byLabel).toEqual([
      { label: ['warp.project=p1'] },
      { label: ['com.docker.compose.project=warp-shop'] },
    ]);
    expect(f.names).toEqual(['web', 'app.v2']);
    expect(f.byName(['app.v2'])).toEqual({ name: ['^/app\\.v2$'] });
    expect(f.byName([])).toBeNull();
  });

  it('adds the managed label to every list for operators, and skips what the project lacks', () => {
    const none = projectListFilters('p1', undefined, false);
    expect(none.byLabel).toEqual([{ label: ['warp.project=p1'] }]);
    expect(none.names).toEqual([]);
    const operator = projectListFilters('p1', { container_names: '["db"]', compose_project: null }, true);
    expect(operator.byLabel).toEqual([{ label: ['warp.project=p1', 'warp.managed=true'] }]);
    expect(operator.byName(operator.names)).toEqual({ name: ['^/db$'], label: ['warp.managed=true'] });
  });
});
