import { z } from 'zod';

export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  hint: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  userId: z.string(),
});

export const callbackQuery = z.object({
  code: z.string().max(512).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

export const userListItemSchema = z.object({
  id: z.string(),
  login: z.string(),
  name: z.string().nullable(),
  role: z.enum(['admin', 'operator']),
  roleSource: z.enum(['settings', 'manual']),
  provider: z.enum(['github', 'local']),
  disabled: z.boolean(),
  admittedVia: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  sessions: z.number(),
  tokens: z.number(),
});

// Names of these schemas in the OpenAPI document (GET /api/openapi.json): the web client's types
// (web/src/api/openapi.gen.ts, `npm run api:types`) are generated from it.
z.globalRegistry.add(tokenSchema, { id: 'ApiToken' });
z.globalRegistry.add(userListItemSchema, { id: 'UserListItem' });
