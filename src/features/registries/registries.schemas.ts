import { z } from 'zod';
import { registryHostField, registryPasswordField, registryUsernameField } from '../settings/index.js';

/** `:host` of `/api/v1/registries/:host/check` (`ghcr.io`, `127.0.0.1:5000`, `docker.io`). */
export const registryHostParams = z.object({ host: registryHostField }).strict();

/** Optional credentials to check before saving them; left out, the saved ones are checked. */
export const registryCheckBody = z
  .object({ username: registryUsernameField.optional(), password: registryPasswordField.optional() })
  .strict();

/** `{ok, message}`: whether the registry accepted the credentials, in a sentence for people. */
export const registryCheckResultSchema = z.object({ ok: z.boolean(), message: z.string() });

// Names of these schemas in the OpenAPI document (GET /api/openapi.json).
z.globalRegistry.add(registryCheckResultSchema, { id: 'RegistryCheck' });
