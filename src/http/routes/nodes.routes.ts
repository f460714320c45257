import type { NodesService } from '../../features/nodes/index.js';
import { joinSchema, nodeParams, nodeSchema, nodesAnswerSchema } from '../../features/nodes/index.js';
import { contextOf } from '../plugins/auth.js';
import { withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** Hosts and nodes: the engine's mode, Swarm nodes, drain/activate (admin), the join command (admin). */
export function nodesRoutes(app: HttpApp, deps: { nodes: NodesService }): void {
  app.get(
    '/api/v1/nodes',
    { schema: { tags: ['nodes'], response: withErrors({ 200: nodesAnswerSchema }) } },
    async () => deps.nodes.list(),
  );

  for (const [action, availability] of [
    ['drain', 'drain'],
    ['activate', 'active'],
  ] as const) {
    app.post(
      `/api/v1/nodes/:id/${action}`,
      {
        config: { auth: 'admin' },
        schema: { tags: ['nodes'], params: nodeParams, response: withErrors({ 200: nodeSchema }) },
      },
      async (request) => deps.nodes.setAvailability(contextOf(request), request.params.id, availability),
    );
  }

  app.get(
    '/api/v1/nodes/join',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['nodes'],
        description: 'The worker join command; the token is a secret shown to admins only.',
        response: withErrors({ 200: joinSchema }),
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return deps.nodes.joinCommand(contextOf(request));
    },
  );
}
