import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { createLazyApp } from './lazy-app.js';
import { zodSchemaController } from './schema-compilers.js';
import type { HttpApp } from './server.js';

/** The API description's URLs under Swagger UI's prefix (the route table and the authz matrix list them). */
const UI_ROUTES = [
  '/api/docs',
  '/api/docs/json',
  '/api/docs/yaml',
  '/api/docs/static/index.html',
  '/api/docs/static/swagger-initializer.js',
  '/api/docs/static/*',
];

/**
 * Every registered schema is emitted twice, as `X` (response shape) and `XInput` (request shape). Only a
 * request body or parameter that embeds a named schema refers to an `XInput`: drop the ones nothing uses.
 */
function withoutUnusedInputs<T extends object>(doc: T): T {
  const schemas = (doc as { components?: { schemas?: Record<string, unknown> } }).components?.schemas;
  if (!schemas) return doc;
  // Until nothing changes: an unused `XInput` may be the only user of another one.
  for (let dropped = true; dropped; ) {
    dropped = false;
    const used = new Set(
      [...JSON.stringify(doc).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]),
    );
    for (const name of Object.keys(schemas)) {
      if (name.endsWith('Input') && !used.has(name)) {
        delete schemas[name];
        dropped = true;
      }
    }
  }
  return doc;
}

/**
 * The OpenAPI document (`/api/openapi.json`) and Swagger UI (`/api/docs…`), built on first request: few
 * callers ever open them, and @fastify/swagger, Swagger UI and their file routes would otherwise be loaded,
 * registered and held by every panel from its start. The panel records its routes' schemas as they are
 * registered; the first docs request loads both plugins into a separate Fastify instance (createLazyApp),
 * registers the recorded schemas there and answers from it. Authorization stays with the panel.
 */
export function createApiDocs(opts: { version: string }) {
  const routes: RouteOptions[] = [];

  async function build(): Promise<FastifyInstance> {
    const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([
      import('@fastify/swagger'),
      import('@fastify/swagger-ui'),
    ]);
    const docs = Fastify({
      logger: false,
      routerOptions: { ignoreTrailingSlash: true },
      schemaController: zodSchemaController,
    });
    await docs.register(swagger, {
      openapi: {
        info: { title: 'Warp Panel API', version: opts.version },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer' },
            session: { type: 'apiKey', in: 'cookie', name: 'warp_session' },
          },
        },
        security: [{ bearer: [] }, { session: [] }],
      },
      transform: jsonSchemaTransform,
      // Schemas registered with an id (z.globalRegistry.add in the features' *.schemas.ts) become named
      // components that the routes reference.
      transformObject: (doc) => withoutUnusedInputs(jsonSchemaTransformObject(doc)),
    });
    await docs.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
    await docs.register(async (scope) => {
      for (const r of routes) {
        scope.route({
          method: r.method,
          url: r.url,
          ...(r.schema ? { schema: r.schema } : {}),
          exposeHeadRoute: false,
          handler: async () => null,
        });
      }
    });
    await docs.ready();
    return docs;
  }

  const docs = createLazyApp(build);

  return {
    /** Record a route as registered on the panel (its schema goes into the document). */
    record(route: RouteOptions): void {
      if (route.method === 'HEAD' || (route.schema as { hide?: boolean } | undefined)?.hide) return;
      routes.push(route);
    },
    /** The OpenAPI document (builds the docs instance on first use). */
    async document(): Promise<Record<string, unknown>> {
      return (await docs.instance()).swagger() as unknown as Record<string, unknown>;
    },
    /** Register `/api/openapi.json` and Swagger UI's routes on the panel; they answer from the docs instance. */
    register(app: HttpApp): void {
      app.get('/api/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () =>
        (await docs.instance()).swagger(),
      );
      for (const url of UI_ROUTES) app.get(url, { schema: { hide: true } }, docs.forward);
    },
  };
}

/** The lazily built API description. */
export type ApiDocs = ReturnType<typeof createApiDocs>;
