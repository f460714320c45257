import { z } from 'zod';
import { entrySchema } from '../features/audit/index.js';
import { tokenSchema } from '../features/auth/index.js';
import { containerSchema, imageSchema, logLineSchema, volumeSchema } from '../features/containers/index.js';
import { projectJobSchema, projectSchema, repoSchema, templateSchema } from '../features/deploy/index.js';
import { jobSchema, lineSchema } from '../features/jobs/index.js';
import { settingsViewSchema } from '../features/settings/index.js';
import { ingressRuleSchema, tunnelSchema } from '../features/tunnel/index.js';
import { errorBodySchema, userSchema } from './schemas.js';

/**
 * Named components of the OpenAPI document: each schema here is emitted once under
 * `components.schemas.<id>` and referenced by `$ref` wherever a route uses it, so generated clients
 * get `Project`, `Job`, … instead of anonymous shapes. One list, so feature schemas stay plain zod.
 */
const COMPONENTS: [z.ZodType, string][] = [
  [errorBodySchema, 'Error'],
  [userSchema, 'User'],
  [projectSchema, 'Project'],
  [projectJobSchema, 'ProjectJob'],
  [jobSchema, 'Job'],
  [lineSchema, 'JobLogLine'],
  [containerSchema, 'Container'],
  [volumeSchema, 'Volume'],
  [imageSchema, 'Image'],
  [logLineSchema, 'ContainerLogLine'],
  [repoSchema, 'HostRepo'],
  [templateSchema, 'Template'],
  [tokenSchema, 'ApiToken'],
  [entrySchema, 'AuditEntry'],
  [settingsViewSchema, 'Settings'],
  [ingressRuleSchema, 'IngressRule'],
  [tunnelSchema, 'Tunnel'],
];

/** Register the components (idempotent: a schema already registered keeps its id). */
export function registerOpenApiComponents(extra: [z.ZodType, string][] = []): void {
  for (const [schema, id] of [...COMPONENTS, ...extra]) {
    if (!z.globalRegistry.has(schema)) z.globalRegistry.add(schema, { id });
  }
}
