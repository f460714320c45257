import type { Kysely } from 'kysely';

/**
 * Projects remember the images they run: `images` is JSON `[{service, image, digest, imageId}]`
 * (the repository digest a pull resolved, or null for an image built here; the local image id), so
 * a redeploy can tell whether the image changed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('projects')
    .addColumn('images', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}
