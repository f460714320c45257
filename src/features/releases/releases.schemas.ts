import { z } from 'zod';

/** `:id` (project) and `:rid` (release) of the release routes. */
export const releaseParams = z.object({ id: z.uuid(), rid: z.uuid() }).strict();

/** API.md → Releases: one release of a project, newest first in the list. */
export const releaseSchema = z.object({
  id: z.string(),
  /** 1, 2, 3… per project. */
  seq: z.number(),
  createdAt: z.string(),
  /** The release that serves the project now. */
  live: z.boolean(),
  /** When it last became live (its deploy or a rollback to it). */
  activatedAt: z.string().nullable(),
  /** `rolling`: a Swarm project, replaced task by task (start-first) by the Swarm. */
  strategy: z.enum(['blue-green', 'stop-start', 'rolling']),
  images: z.array(z.object({ service: z.string(), image: z.string(), digest: z.string() })),
  commit: z.string().nullable(),
  hostPort: z.number().nullable(),
  composeProject: z.string().nullable(),
  /** Environment names the release ran with (values never leave the panel). */
  envKeys: z.array(z.string()),
  jobId: z.string().nullable(),
  actor: z.string().nullable(),
});

export const releaseListSchema = z.object({ items: z.array(releaseSchema) });

// Names in the OpenAPI document (the web client's generated types).
z.globalRegistry.add(releaseSchema, { id: 'Release' });
