import { z } from 'zod';
import { validationError } from '../../domain/errors.js';
import { canonicalRegistryHost } from '../../domain/registry-host.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { hintOf } from '../../lib/tokens.js';

/**
 * The `registries` setting: credentials for private registries (`[{host, username, password}]`).
 *
 * PATCH semantics: `registries` in a settings PATCH is the whole new list — hosts left out are
 * removed, and `[]` removes all. Each entry names a `host` and a `username`; its `password` is
 * - a string: the new password (or token),
 * - `null`: clear the saved password (the entry stays, unused until a password is set),
 * - left out: keep the password saved for that host (matched by canonical host, so renaming the
 *   user keeps it too); a new host without a password is saved without one.
 * Hosts are stored canonically (`index.docker.io` → `docker.io`), and one host may appear once.
 * Stored: one non-secret row holding the list, each password encrypted with the settings' box.
 */

/** A host as image references name it (a scheme or path, as in `https://index.docker.io/v1/`, is dropped). */
export const registryHostField = z
  .string()
  .trim()
  .max(300)
  .transform((h) => canonicalRegistryHost(h))
  .refine(
    (h) => /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)(:\d{1,5})?$/.test(h),
    'expected a registry host like ghcr.io or 10.0.0.5:5000',
  );

/** A registry user name: what basic auth can carry (no colon, no control characters). */
export const registryUsernameField = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^:\p{Cc}]+$/u, 'expected a user name without ":" or control characters');

/** A password or access token. */
export const registryPasswordField = z.string().min(1).max(16_384);

/** One entry of a `registries` PATCH. */
const registryPatchEntry = z
  .object({
    host: registryHostField,
    username: registryUsernameField,
    password: registryPasswordField.nullable().optional(),
  })
  .strict();

/** `registries` in a settings PATCH: the whole new list (see the module comment). */
export const registriesPatchSchema = z.array(registryPatchEntry).max(50);

/** One entry as `GET /api/v1/settings` shows it. */
export const registryViewSchema = z.object({
  host: z.string(),
  username: z.string(),
  password: z.object({ set: z.boolean(), hint: z.string().nullable() }),
});

/** Saved credentials for one registry, password in plain text (internal use only). */
export interface RegistryCredential {
  host: string;
  username: string;
  password: string | null;
}

/** The new list a PATCH produces from the saved one; a host listed twice is a 400. */
export function mergeRegistries(
  current: readonly RegistryCredential[],
  patch: z.infer<typeof registriesPatchSchema>,
): RegistryCredential[] {
  const seen = new Set<string>();
  return patch.map((entry, i) => {
    if (seen.has(entry.host)) {
      throw validationError('invalid settings', [
        { path: `registries.${i}.host`, message: `${entry.host} is listed twice` },
      ]);
    }
    seen.add(entry.host);
    const saved = current.find((c) => c.host === entry.host);
    const password = entry.password === undefined ? (saved?.password ?? null) : entry.password;
    return { host: entry.host, username: entry.username, password };
  });
}

type Stored = { host: string; username: string; password: string | null };

/** The stored form: each password encrypted. */
export const sealRegistries = (list: readonly RegistryCredential[], box: SecretBox): Stored[] =>
  list.map((r) => ({ ...r, password: r.password === null ? null : box.encrypt(r.password) }));

/** Read the stored form back (anything unreadable counts as no entries). */
export function openRegistries(stored: unknown, box: SecretBox): RegistryCredential[] {
  if (!Array.isArray(stored)) return [];
  return (stored as Stored[]).map((r) => ({
    host: r.host,
    username: r.username,
    password: typeof r.password === 'string' ? box.decrypt(r.password) : null,
  }));
}

/** The API's view: passwords as `{set, hint}`. */
export const registriesView = (list: readonly RegistryCredential[]): z.infer<typeof registryViewSchema>[] =>
  list.map((r) => ({
    host: r.host,
    username: r.username,
    password: { set: r.password !== null, hint: r.password === null ? null : hintOf(r.password) },
  }));
