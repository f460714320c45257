import { describe, expect, it } from 'vitest';
import { normalizeDiskUsage } from './disk-usage.js';
import { compareApiVersions, pinApiVersion } from './docker-client.js';
import { toDomainError } from './docker-errors.js';

describe('disk usage shapes', () => {
  it('reads the legacy (API ≤ 1.51) shape', () => {
    const u = normalizeDiskUsage({
      LayersSize: 1000,
      Images: [
        { Size: 600, SharedSize: 100, Containers: 1 },
        { Size: 400, SharedSize: 0, Containers: 0 },
      ],
      Containers: [
        { SizeRw: 10, State: 'running' },
        { SizeRw: 5, State: 'exited' },
      ],
      Volumes: [
        { UsageData: { Size: 50, RefCount: 1 } },
        { UsageData: { Size: 20, RefCount: 0 } },
        { UsageData: { Size: -1, RefCount: -1 } },
      ],
      BuildCache: [
        { Size: 7, InUse: false },
        { Size: 3, InUse: true },
      ],
    });
    expect(u).toEqual({
      images: { count: 2, size: 1000, reclaimable: 500 },
      containers: { count: 2, size: 15, reclaimable: 5 },
      volumes: { count: 3, size: 70, reclaimable: 20 },
      buildCache: { count: 2, size: 10, reclaimable: 7 },
    });
  });

  it('reads the 1.52+ usage shape (and prefers it when both are present)', () => {
    const usage = (n: number) => ({ ActiveCount: 1, TotalCount: n, Reclaimable: n * 10, TotalSize: n * 100 });
    const u = normalizeDiskUsage({
      LayersSize: 999,
      ImageUsage: usage(1),
      ContainerUsage: usage(2),
      VolumeUsage: usage(3),
      BuildCacheUsage: usage(4),
    });
    expect(u.images).toEqual({ count: 1, size: 100, reclaimable: 10 });
    expect(u.volumes).toEqual({ count: 3, size: 300, reclaimable: 30 });
    expect(u.buildCache.size).toBe(400);
  });
});

describe('API version pinning', () => {
  it('pins the lower of the engine and ours, comparing numerically', () => {
    expect(compareApiVersions('1.9', '1.41')).toBeLessThan(0);
    expect(pinApiVersion('1.41')).toBe('1.41');
    expect(pinApiVersion('1.52')).toBe('1.47');
    expect(pinApiVersion('1.47')).toBe('1.47');
  });
});

describe('engine error translation', () => {
  it('maps statuses to domain codes and quotes the engine', () => {
    const e404 = Object.assign(new Error('(HTTP code 404) no such container - No such container: x '), {
      statusCode: 404,
      json: { message: 'No such container: x' },
    });
    expect(toDomainError(e404, 'container x')).toMatchObject({
      code: 'NOT_FOUND',
      message: 'container x not found',
    });
    const e409 = Object.assign(new Error('conflict'), { statusCode: 409, json: { message: 'name in use' } });
    expect(toDomainError(e409)).toMatchObject({ code: 'CONFLICT', message: 'Docker engine: name in use' });
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2375'), { code: 'ECONNREFUSED' });
    expect(toDomainError(down)).toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: 'Docker engine: connect ECONNREFUSED 127.0.0.1:2375',
    });
  });
});
