import { z } from 'zod';
import { validationError } from '../../domain/errors.js';
import type { ContainersService, LiveLogLine } from '../../features/containers/index.js';
import {
  booleanFlag,
  containerSchema,
  containerStatsSchema,
  imageSchema,
  type liveLogLineSchema,
  logLineSchema,
  projectIdField,
  refParams,
  volumeSchema,
} from '../../features/containers/index.js';
import { contextOf } from '../plugins/auth.js';
import { emptySchema, sseResponse, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';
import { createSseOpener, type SseStream } from '../sse.js';
import type { StreamSlots } from '../stream-slots.js';

/** `since`: unix seconds (fractions allowed) or an ISO date → unix seconds. */
function parseSince(since: string | undefined): number | undefined {
  if (since === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(since)) return Number(since);
  const ms = Date.parse(since);
  if (Number.isNaN(ms)) {
    throw validationError('invalid since', [
      { path: 'since', message: 'expected unix seconds or an ISO date' },
    ]);
  }
  return ms / 1000;
}

/** Bytes buffered for a stream client above which the engine streams are paused. */
const STREAM_LOW_WATER = 256 * 1024;

/** Containers: list, stop, restart, remove, log tail and the live multi-container log stream. */
export function containersRoutes(
  app: HttpApp,
  deps: { containers: ContainersService; slots: StreamSlots },
): void {
  const { containers } = deps;
  const openSse = createSseOpener(app);

  app.get(
    '/api/v1/containers/logs/stream',
    {
      schema: {
        tags: ['containers'],
        description:
          'text/event-stream: `event: log` with data ContainerLogLine {containerId, containerName, stream, ts, text}',
        querystring: z
          .object({
            id: z.string().min(1).max(255).optional(),
            name: z.string().min(1).max(255).optional(),
            projectId: projectIdField.optional(),
            tail: z.coerce.number().int().min(0).max(1000).default(0),
          })
          .strict(),
        response: {
          ...withErrors({}, [502]),
          ...sseResponse(
            '`event: log`, data {containerId, containerName, stream, ts, text}, from every matching running container',
          ),
        },
      },
    },
    async (request, reply) => {
      const { tail, ...filter } = request.query;
      // Lines that arrive while the engine streams are being set up wait here (bounded by `tail`):
      // a failure before the SSE response opens still gets the normal JSON error (e.g. 502).
      let sse: SseStream | null = null;
      // Typed by the schema the OpenAPI document names ContainerLogLine, so the two cannot drift apart.
      const early: z.infer<typeof liveLogLineSchema>[] = [];
      const release = deps.slots.acquire(request);
      const live = await containers
        .openStream(
          contextOf(request),
          filter,
          {
            write: (line: LiveLogLine) => {
              if (!sse) return early.push(line) < 10_000;
              return sse.send('log', line) && reply.raw.writableLength <= STREAM_LOW_WATER;
            },
            onceDrained: (cb) => {
              if (!sse) return void setImmediate(cb);
              void sse.ready().then((open) => open && cb());
            },
          },
          { tail },
        )
        .catch((err: unknown) => {
          release();
          throw err;
        });
      const stream = openSse(request, reply);
      sse = stream;
      stream.onClose(() => {
        live.close();
        release();
      });
      for (const line of early.splice(0)) stream.send('log', line);
    },
  );

  app.get(
    '/api/v1/containers',
    {
      schema: {
        tags: ['containers'],
        querystring: z
          .object({
            state: z.enum(['running', 'stopped', 'all']).default('all'),
            name: z.string().min(1).max(255).optional(),
            q: z.string().min(1).max(255).optional(),
            projectId: projectIdField.optional(),
          })
          .strict(),
        response: withErrors({
          200: z.object({
            items: z.array(containerSchema),
            volumes: z.array(volumeSchema).optional(),
            images: z.array(imageSchema).optional(),
          }),
        }),
      },
    },
    async (request) => containers.list(contextOf(request), request.query),
  );

  app.post(
    '/api/v1/containers/:id/stop',
    { schema: { tags: ['containers'], params: refParams, response: withErrors({ 200: containerSchema }) } },
    async (request) => containers.stop(contextOf(request), request.params.id),
  );

  app.post(
    '/api/v1/containers/:id/restart',
    { schema: { tags: ['containers'], params: refParams, response: withErrors({ 200: containerSchema }) } },
    async (request) => containers.restart(contextOf(request), request.params.id),
  );

  app.delete(
    '/api/v1/containers/:id',
    {
      schema: {
        tags: ['containers'],
        params: refParams,
        querystring: z.object({ volumes: booleanFlag('false') }).strict(),
        response: withErrors({ 204: emptySchema }),
      },
    },
    async (request, reply) => {
      await containers.remove(contextOf(request), request.params.id, { volumes: request.query.volumes });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/containers/:id/logs',
    {
      schema: {
        tags: ['containers'],
        params: refParams,
        querystring: z
          .object({
            tail: z.coerce.number().int().min(0).max(10_000).default(200),
            since: z.string().max(40).optional(),
            timestamps: booleanFlag('true'),
          })
          .strict(),
        response: withErrors({ 200: z.object({ lines: z.array(logLineSchema), truncated: z.boolean() }) }),
      },
    },
    async (request) => {
      const { tail, since, timestamps } = request.query;
      const release = deps.slots.acquire(request);
      try {
        return await containers.logs(contextOf(request), request.params.id, {
          tail,
          since: parseSince(since),
          timestamps,
        });
      } finally {
        release();
      }
    },
  );

  app.get(
    '/api/v1/containers/:id/stats',
    {
      schema: {
        tags: ['containers'],
        summary: "A container's CPU and memory use right now (the engine's one-shot stats)",
        params: refParams,
        response: withErrors({ 200: containerStatsSchema }),
      },
    },
    async (request) => containers.stats(contextOf(request), request.params.id),
  );
}
