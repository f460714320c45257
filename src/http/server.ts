import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { AuthService } from '../features/auth/index.js';
import { clientAddress } from './client-address.js';
import { registerOpenApiComponents } from './openapi-components.js';
import { documentRoute } from './openapi-docs.js';
import { registerAuth } from './plugins/auth.js';
import { registerErrorHandling } from './plugins/error-handler.js';
import { requestIdFrom } from './plugins/request-id.js';
import { RequestLogController } from './plugins/request-log.js';

/** The Fastify instance with the zod type provider, as route modules see it. */
export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A route as registered, for the authorization matrix and the docs. */
export interface RouteInfo {
  method: string;
  url: string;
  auth: string | undefined;
}

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

/** Build the HTTP server: plugins, error model, auth, OpenAPI, then the routes given by the composition root. */
export async function createHttpServer(opts: {
  logger: Logger;
  version: string;
  auth: AuthService;
  /** Whether the API description answers without sign-in (a setting). */
  publicDocs?: () => Promise<boolean>;
  registerRoutes: (app: HttpApp) => void | Promise<void>;
}): Promise<{ app: HttpApp; routes: RouteInfo[] }> {
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    genReqId: requestIdFrom,
    logController: new RequestLogController(),
    requestIdHeader: false,
    // Client addresses come from clientAddress() (CF-Connecting-IP from loopback only), never X-Forwarded-For.
    trustProxy: false,
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();

  registerOpenApiComponents();
  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (route) => {
    documentRoute(route);
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routes.push({ method, url: route.url, auth: (route.config as { auth?: string } | undefined)?.auth });
    }
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  registerErrorHandling(app);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'https://avatars.githubusercontent.com'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
      },
    },
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    keyGenerator: clientAddress,
    errorResponseBuilder: () => ({ statusCode: 429, message: 'too many requests' }),
  });
  await app.register(swagger, {
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
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  registerAuth(app, opts.auth, opts.publicDocs ? { publicDocs: opts.publicDocs } : {});
  await opts.registerRoutes(app);
  return { app, routes };
}
