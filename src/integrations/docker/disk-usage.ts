/** Sizes (bytes) of one kind of Docker object. */
export interface UsageFigures {
  count: number;
  size: number;
  reclaimable: number;
}

/** `/system/df` reduced to what the panel shows, whatever the engine's API version. */
export interface DiskUsage {
  images: UsageFigures;
  containers: UsageFigures;
  volumes: UsageFigures;
  buildCache: UsageFigures;
}

type Rec = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
const arr = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);
const sum = (items: Rec[], pick: (x: Rec) => number): number => items.reduce((t, x) => t + pick(x), 0);

function fromUsage(u: unknown): UsageFigures {
  const r = (u ?? {}) as Rec;
  return { count: num(r.TotalCount), size: num(r.TotalSize), reclaimable: num(r.Reclaimable) };
}

function legacy(df: Rec): DiskUsage {
  const images = arr(df.Images);
  const containers = arr(df.Containers);
  const volumes = arr(df.Volumes);
  const cache = arr(df.BuildCache);
  const imagesSize = num(df.LayersSize) || sum(images, (i) => num(i.Size));
  // As the docker CLI does: what images in use hold exclusively cannot be reclaimed.
  const imagesUsed = sum(images, (i) => (num(i.Containers) > 0 ? num(i.Size) - num(i.SharedSize) : 0));
  const volSize = (v: Rec) => num((v.UsageData as Rec | undefined)?.Size);
  const volRefs = (v: Rec) => (v.UsageData as Rec | undefined)?.RefCount;
  return {
    images: { count: images.length, size: imagesSize, reclaimable: Math.max(0, imagesSize - imagesUsed) },
    containers: {
      count: containers.length,
      size: sum(containers, (c) => num(c.SizeRw)),
      reclaimable: sum(containers, (c) => (c.State === 'running' ? 0 : num(c.SizeRw))),
    },
    volumes: {
      count: volumes.length,
      size: sum(volumes, volSize),
      reclaimable: sum(volumes, (v) => (volRefs(v) === 0 ? volSize(v) : 0)),
    },
    buildCache: {
      count: cache.length,
      size: sum(cache, (b) => num(b.Size)),
      reclaimable: sum(cache, (b) => (b.InUse ? 0 : num(b.Size))),
    },
  };
}

/**
 * Normalise both `/system/df` shapes: API ≤ 1.51 (`LayersSize`, `Images`, `Containers`, `Volumes`,
 * `BuildCache`) and 1.52+ (`ImageUsage`, `ContainerUsage`, `VolumeUsage`, `BuildCacheUsage`; from 1.53
 * the legacy fields are gone).
 */
export function normalizeDiskUsage(df: unknown): DiskUsage {
  const r = (df ?? {}) as Rec;
  if (r.ImageUsage || r.ContainerUsage || r.VolumeUsage || r.BuildCacheUsage) {
    return {
      images: fromUsage(r.ImageUsage),
      containers: fromUsage(r.ContainerUsage),
      volumes: fromUsage(r.VolumeUsage),
      buildCache: fromUsage(r.BuildCacheUsage),
    };
  }
  return legacy(r);
}
