import type { RegistriesService } from '../../features/registries/index.js';
import {
  registryCheckBody,
  registryCheckResultSchema,
  registryHostParams,
} from '../../features/registries/index.js';
import { withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** `POST /api/v1/registries/:host/check` (admin): do the saved (or sent) credentials work? */
export function registriesRoutes(app: HttpApp, deps: { registries: RegistriesService }): void {
  app.post(
    '/api/v1/registries/:host/check',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['settings'],
        params: registryHostParams,
        body: registryCheckBody.nullish(),
        response: withErrors({ 200: registryCheckResultSchema }),
      },
    },
    async (request) => deps.registries.check(request.params.host, request.body ?? {}),
  );
}
