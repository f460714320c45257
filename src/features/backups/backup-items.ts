import type { DatabaseEngine } from './database-engines.js';

/** One thing a backup run saved (a volume's tar or a database dump), as stored in `backup_runs.items`. */
export interface BackupItem {
  kind: 'volume' | 'database';
  name: string;
  status: 'succeeded' | 'failed';
  /** Bytes read from the source (the tar or the dump). */
  bytes: number;
  /** Bytes the repository grew by (after deduplication). */
  added: number;
  /** SHA-256 of the stream as it was backed up: restores and checks compare against it. */
  sha256: string | null;
  snapshotId: string | null;
  error: string | null;
  engine?: DatabaseEngine;
  database?: string;
}

/** The file a snapshot holds for an item (`restic dump <snapshot> /<file>`). */
export const itemFile = (item: Pick<BackupItem, 'kind' | 'name'>): string =>
  item.kind === 'volume' ? `volume-${item.name}.tar` : `database-${item.name}.sql`;

/** Tag keys on every snapshot. */
export const TAGS = {
  run: 'warp-run',
  kind: 'warp-kind',
  item: 'warp-item',
  project: 'warp-project',
} as const;

/** A failed item. */
export const failedItem = (kind: BackupItem['kind'], name: string, error: string): BackupItem => ({
  kind,
  name,
  status: 'failed',
  bytes: 0,
  added: 0,
  sha256: null,
  snapshotId: null,
  error,
});

/** How a run ended given its items and any error that stopped it. */
export function runStatus(items: BackupItem[], fatal: unknown): 'succeeded' | 'partial' | 'failed' {
  const ok = items.filter((i) => i.status === 'succeeded').length;
  if (ok === 0) return 'failed';
  if (fatal || ok < items.length) return 'partial';
  return 'succeeded';
}
