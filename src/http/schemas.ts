import { z } from 'zod';

/** API.md's error body. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z
      .array(z.object({ path: z.string(), message: z.string(), projectId: z.string().optional() }))
      .optional(),
    requestId: z.string(),
  }),
});

/** Error statuses a route's own work can answer; the ones its shape implies are added by `documentRoute`. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 502 | 503;

/**
 * A route's responses plus the error responses its work can give (`extra`: e.g. `[409, 502]`), in
 * API.md's shape. Validation (400), auth (401/403), not-found for path ids (404), rate limits (429)
 * and 500/503 are added from the route's shape when the OpenAPI document is built.
 */
export const withErrors = <T extends Record<number, z.ZodType>>(
  ok: T,
  extra: ErrorStatus[] = [],
): T & Partial<Record<ErrorStatus | 500, typeof errorBodySchema>> => ({
  ...Object.fromEntries(extra.map((code) => [code, errorBodySchema])),
  ...ok,
});

/** API.md's User. */
export const userSchema = z.object({
  id: z.string(),
  login: z.string(),
  name: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  role: z.enum(['admin', 'operator']),
  provider: z.enum(['github', 'local']),
});

/** An id path parameter (UUIDv7 text ids). */
export const idParams = z.object({ id: z.uuid() }).strict();

/** Cursor paging query fields shared by paged lists. */
export const cursorQuery = {
  cursor: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
};

/** 204 / 202 bodies. */
export const emptySchema = z.null();

/** What an anonymous caller learns from a health check: only whether it is up. */
export const statusOnlySchema = z.object({ status: z.string() }).strict();

/** A health answer: the details for signed-in callers, `{status}` for anyone else. */
export const healthAnswer = <T extends z.ZodType>(details: T) => z.union([details, statusOnlySchema]);

// Names of these schemas in the OpenAPI document (GET /api/openapi.json): the web client's types
// (web/src/api/openapi.gen.ts, `npm run api:types`) are generated from it.
z.globalRegistry.add(errorBodySchema, { id: 'ErrorBody' });
z.globalRegistry.add(userSchema, { id: 'User' });
/** A server-sent-events 200 for the OpenAPI document: `text/event-stream`, what the events are. */
export const sseResponse = (description: string) => ({
  200: { description, content: { 'text/event-stream': { schema: z.string() } } },
});
