import { z } from 'zod';
import { validationError } from '../../domain/errors.js';
import type { JobLogLine, JobsService } from '../../features/jobs/index.js';
import { jobSchema, jobStatus, lineSchema, seqField } from '../../features/jobs/index.js';
import type { Masker } from '../../lib/log-masking.js';
import { contextOf } from '../plugins/auth.js';
import { cursorQuery, idParams, sseResponse, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';
import { createSseOpener, sseFrame } from '../sse.js';
import type { StreamSlots } from '../stream-slots.js';

/** `Last-Event-ID` wins over `?after` (it is what a reconnecting EventSource sends). */
function resumeFrom(header: string | string[] | undefined, after: number | undefined): number {
  if (header === undefined) return after ?? 0;
  const parsed = seqField.safeParse(Array.isArray(header) ? header[0] : header);
  if (!parsed.success) {
    throw validationError('invalid Last-Event-ID', [
      { path: 'Last-Event-ID', message: 'expected a log sequence number' },
    ]);
  }
  return parsed.data;
}

/** `/api/v1/jobs`: list, get, logs, live log stream (SSE) and cancel. */
export function jobRoutes(app: HttpApp, deps: { jobs: JobsService; slots: StreamSlots }): void {
  const openSse = createSseOpener(app);
  // A live line is one object for every subscriber: serialise it once per masker, not per stream.
  const frames = new WeakMap<Masker, WeakMap<JobLogLine, string>>();
  const frameOf = (masker: Masker, line: JobLogLine): string => {
    let byLine = frames.get(masker);
    if (!byLine) {
      byLine = new WeakMap();
      frames.set(masker, byLine);
    }
    let frame = byLine.get(line);
    if (frame === undefined) {
      frame = sseFrame('log', { ...line, text: masker.mask(line.text) }, line.seq);
      byLine.set(line, frame);
    }
    return frame;
  };
  app.get(
    '/api/v1/jobs',
    {
      schema: {
        tags: ['jobs'],
        querystring: z
          .object({
            status: jobStatus.optional(),
            type: z
              .string()
              .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/)
              .optional(),
            projectId: z.uuid().optional(),
            ...cursorQuery,
          })
          .strict(),
        response: withErrors({
          200: z.object({ items: z.array(jobSchema), nextCursor: z.string().nullable() }),
        }),
      },
    },
    async (request) => deps.jobs.list(request.query),
  );

  app.get(
    '/api/v1/jobs/:id',
    { schema: { tags: ['jobs'], params: idParams, response: withErrors({ 200: jobSchema }) } },
    async (request) => deps.jobs.get(request.params.id),
  );

  app.get(
    '/api/v1/jobs/:id/logs',
    {
      schema: {
        tags: ['jobs'],
        params: idParams,
        querystring: z
          .object({
            after: seqField.default(0),
            limit: z.coerce.number().int().min(1).max(5000).default(1000),
          })
          .strict(),
        response: withErrors({ 200: z.object({ lines: z.array(lineSchema), done: z.boolean() }) }),
      },
    },
    async (request) => deps.jobs.logs(request.params.id, request.query.after, request.query.limit),
  );

  app.get(
    '/api/v1/jobs/:id/logs/stream',
    {
      schema: {
        tags: ['jobs'],
        description:
          'text/event-stream: `event: status` (Job), `event: log` (id = seq, data = line), final `event: end`.',
        params: idParams,
        querystring: z.object({ after: seqField.optional() }).strict(),
        response: {
          ...withErrors({}),
          ...sseResponse(
            '`event: status` (Job), `event: log` (id = seq, data = the line), a final `event: end`; resumes after Last-Event-ID',
          ),
        },
      },
    },
    async (request, reply) => {
      const after = resumeFrom(request.headers['last-event-id'], request.query.after);
      const masker = await deps.jobs.masker();
      await deps.jobs.get(request.params.id); // 404 before the stream opens
      const release = deps.slots.acquire(request);
      const sse = openSse(request, reply);
      sse.onClose(release);
      const follow = deps.jobs.follow(request.params.id, after, {
        log: (line) => sse.sendFrame(frameOf(masker, line)),
        status: (job) => sse.send('status', deps.jobs.present(job, masker)),
        end: (job) => {
          sse.send('end', deps.jobs.present(job, masker));
          sse.close();
        },
        canTake: () => sse.canTake(),
        ready: () => sse.ready(),
        get closed() {
          return sse.closed;
        },
      });
      try {
        sse.onClose(await follow);
      } catch (err) {
        request.log.error({ err }, 'following a job log failed');
        sse.send('error', { code: 'INTERNAL', message: 'internal error' });
        sse.close();
      }
    },
  );

  app.post(
    '/api/v1/jobs/:id/cancel',
    { schema: { tags: ['jobs'], params: idParams, response: withErrors({ 202: jobSchema }) } },
    async (request, reply) =>
      reply.status(202).send(await deps.jobs.cancel(contextOf(request), request.params.id)),
  );
}
