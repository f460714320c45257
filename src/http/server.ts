import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { AuthService } from '../features/auth/index.js';
import { type ApiDocs, createApiDocs } from './api-docs.js';
import { clientAddress } from './client-address.js';
import { registerOpenApiComponents } from './openapi-components.js';
import { documentRoute } from './openapi-docs.js';
import { registerAuth } from './plugins/auth.js';
import { registerErrorHandling } from './plugins/error-handler.js';
import { requestIdFrom } from './plugins/request-id.js';
import { RequestLogController } from './plugins/request-log.js';
import { zodSchemaController } from './schema-compilers.js';

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

/** Build the HTTP server: plugins, error model, auth, the API description (built on first use), then the routes given by the composition root. */
export async function createHttpServer(opts: {
  logger: Logger;
  version: string;
  auth: AuthService;
  /** Whether the API description answers without sign-in (a setting). */
  publicDocs?: () => Promise<boolean>;
  registerRoutes: (app: HttpApp) => void | Promise<void>;
}): Promise<{ app: HttpApp; routes: RouteInfo[]; docs: ApiDocs }> {
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    genReqId: requestIdFrom,
    logController: new RequestLogController(),
    requestIdHeader: false,
    // Client addresses come from clientAddress() (CF-Connecting-IP from loopback only), never X-Forwarded-For.
    trustProxy: false,
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
    schemaController: zodSchemaController,
  }).withTypeProvider<ZodTypeProvider>();

  registerOpenApiComponents();
  const routes: RouteInfo[] = [];
  const docs = createApiDocs({ version: opts.version });
  app.addHook('onRoute', (route) => {
    documentRoute(route);
    docs.record(route);
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
  docs.register(app);

  registerAuth(app, opts.auth, opts.publicDocs ? { publicDocs: opts.publicDocs } : {});
  await opts.registerRoutes(app);
  return { app, routes, docs };
}
