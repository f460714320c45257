import type { CreateTableBuilder, Kysely } from 'kysely';

/**
 * Notification channels, their durable delivery queue (deliveries + one row per attempt), the
 * grouping state of repeated events, and metrics history: raw samples, 5-minute buckets and
 * per-project thresholds. Sample times are epoch milliseconds (bigint): range scans and bucket
 * arithmetic stay plain integer comparisons on both engines.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notification_channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('secrets', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('events', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notification_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) =>
      c.notNull().references('notification_channels.id').onDelete('cascade'),
    )
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema
    .createIndex('notification_deliveries_due_idx')
    .on('notification_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('notification_deliveries_channel_idx')
    .on('notification_deliveries')
    .column('channel_id')
    .execute();

  await db.schema
    .createTable('notification_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('delivery_id', 'text', (c) =>
      c.notNull().references('notification_deliveries.id').onDelete('cascade'),
    )
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('notification_attempts_delivery_idx')
    .on('notification_attempts')
    .column('delivery_id')
    .execute();
  await db.schema
    .createIndex('notification_attempts_channel_idx')
    .on('notification_attempts')
    .columns(['channel_id', 'id'])
    .execute();

  await db.schema
    .createTable('notification_groups')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('first_at', 'text', (c) => c.notNull())
    .addColumn('last_at', 'text', (c) => c.notNull())
    .addColumn('last_sent_at', 'text', (c) => c.notNull())
    .addColumn('suppressed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sample', 'text', (c) => c.notNull())
    .execute();

  const sampleColumns = <T extends string>(t: CreateTableBuilder<T>) =>
    t
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('ts', 'bigint', (c) => c.notNull())
      .addColumn('project_id', 'text')
      .addColumn('container_name', 'text')
      .addColumn('cpu', 'double precision')
      .addColumn('mem_used', 'bigint')
      .addColumn('mem_limit', 'bigint')
      .addColumn('net_rx', 'bigint')
      .addColumn('net_tx', 'bigint')
      .addColumn('blk_read', 'bigint')
      .addColumn('blk_write', 'bigint')
      .addColumn('restarts', 'integer')
      .addColumn('load1', 'double precision')
      .addColumn('disk_data_used', 'bigint')
      .addColumn('disk_data_total', 'bigint')
      .addColumn('disk_docker_used', 'bigint')
      .addColumn('disk_docker_total', 'bigint');

  await sampleColumns(db.schema.createTable('metric_samples'))
    .addPrimaryKeyConstraint('metric_samples_pk', ['target', 'ts'])
    .execute();
  await db.schema
    .createIndex('metric_samples_project_idx')
    .on('metric_samples')
    .columns(['project_id', 'ts'])
    .execute();
  await db.schema.createIndex('metric_samples_ts_idx').on('metric_samples').column('ts').execute();

  await sampleColumns(db.schema.createTable('metric_buckets'))
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('cpu_max', 'double precision')
    .addColumn('mem_max', 'bigint')
    .addPrimaryKeyConstraint('metric_buckets_pk', ['target', 'ts'])
    .execute();
  await db.schema
    .createIndex('metric_buckets_project_idx')
    .on('metric_buckets')
    .columns(['project_id', 'ts'])
    .execute();
  await db.schema.createIndex('metric_buckets_ts_idx').on('metric_buckets').column('ts').execute();

  await db.schema
    .createTable('metric_thresholds')
    .addColumn('project_id', 'text', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
    .addColumn('cpu_percent', 'double precision')
    .addColumn('cpu_minutes', 'integer')
    .addColumn('memory_percent', 'double precision')
    .addColumn('memory_minutes', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();
}
