import type { SettingsService } from '../../features/settings/index.js';
import { settingsPatchSchema, settingsViewSchema } from '../../features/settings/index.js';
import { contextOf } from '../plugins/auth.js';
import { withErrors } from '../schemas.js';
import type { HttpApp } from '../server.js';

/** Settings: read for any user, write for admins. */
export function settingsRoutes(app: HttpApp, deps: { settings: SettingsService }): void {
  app.get(
    '/api/v1/settings',
    { schema: { tags: ['settings'], response: withErrors({ 200: settingsViewSchema }) } },
    async () => deps.settings.view(),
  );

  app.patch(
    '/api/v1/settings',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['settings'],
        body: settingsPatchSchema,
        response: withErrors({ 200: settingsViewSchema }),
      },
    },
    async (request) => deps.settings.update(contextOf(request), request.body),
  );
}
