import { z } from 'zod';
import type { ServiceLogView, SwarmStatus } from '../../features/swarm/index.js';
import { serviceLogLineSchema, taskSchema } from '../../features/swarm/index.js';
import { idParams, sseResponse, withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';
import { createSseOpener, type SseStream } from '../sse.js';
import type { StreamSlots } from '../stream-slots.js';

/** Bytes buffered for a stream client above which the engine streams are paused. */
const STREAM_LOW_WATER = 256 * 1024;

/** Swarm projects: tasks, service logs across tasks, and their live stream. */
export function swarmRoutes(app: HttpApp, deps: { swarm: SwarmStatus; slots: StreamSlots }): void {
  const openSse = createSseOpener(app);

  app.get(
    '/api/v1/projects/:id/tasks',
    {
      schema: {
        tags: ['projects'],
        params: idParams,
        response: withErrors({ 200: z.object({ items: z.array(taskSchema) }) }),
      },
    },
    async (request) => ({ items: await deps.swarm.tasks(request.params.id) }),
  );

  app.get(
    '/api/v1/projects/:id/service-logs',
    {
      schema: {
        tags: ['projects'],
        params: idParams,
        querystring: z.object({ tail: z.coerce.number().int().min(0).max(10_000).default(200) }).strict(),
        response: withErrors({
          200: z.object({ lines: z.array(serviceLogLineSchema), truncated: z.boolean() }),
        }),
      },
    },
    async (request) => {
      const release = deps.slots.acquire(request);
      try {
        return await deps.swarm.logs(request.params.id, { tail: request.query.tail });
      } finally {
        release();
      }
    },
  );

  app.get(
    '/api/v1/projects/:id/service-logs/stream',
    {
      schema: {
        tags: ['projects'],
        description:
          'text/event-stream: `event: log` with data ServiceLogLine, from every task of the services',
        params: idParams,
        querystring: z.object({ tail: z.coerce.number().int().min(0).max(1000).default(0) }).strict(),
        response: {
          ...withErrors({}),
          ...sseResponse('`event: log`, data ServiceLogLine, from every task of the project’s services'),
        },
      },
    },
    async (request, reply) => {
      let sse: SseStream | null = null;
      const early: ServiceLogView[] = [];
      const release = deps.slots.acquire(request);
      const live = await deps.swarm
        .openStream(
          request.params.id,
          {
            write: (line) => {
              if (!sse) return early.push(line) < 10_000;
              return sse.send('log', line) && reply.raw.writableLength <= STREAM_LOW_WATER;
            },
            onceDrained: (cb) => {
              if (!sse) return void setImmediate(cb);
              void sse.ready().then((open) => open && cb());
            },
          },
          { tail: request.query.tail },
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
}
