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

const errorResponses = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  422: errorBodySchema,
  429: errorBodySchema,
  500: errorBodySchema,
  502: errorBodySchema,
  503: errorBodySchema,
};

/** A route's responses plus every error status in API.md's shape. */
export const withErrors = <T extends Record<number, z.ZodType>>(ok: T): T & typeof errorResponses => ({
  ...errorResponses,
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
