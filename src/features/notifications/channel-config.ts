import { z } from 'zod';
import { validationError } from '../../domain/errors.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { hintOf } from '../../lib/tokens.js';

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).max(2048);
const secretText = z.string().min(1).max(4096);
const hostname = z
  .string()
  .trim()
  .regex(
    /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$|^\[?[0-9a-fA-F:.]+\]?$/,
    {
      message: 'expected a host name or IP address',
    },
  );

/** Each channel type: its config schema (secrets as plain text) and which fields are secrets. */
export const CHANNEL_TYPES = {
  webhook: {
    schema: z.object({ url: httpUrl, secret: secretText.nullable().default(null) }).strict(),
    secrets: ['secret'],
  },
  slack: { schema: z.object({ url: httpUrl.pipe(secretText) }).strict(), secrets: ['url'] },
  discord: { schema: z.object({ url: httpUrl.pipe(secretText) }).strict(), secrets: ['url'] },
  ntfy: {
    schema: z
      .object({
        serverUrl: httpUrl.default('https://ntfy.sh'),
        topic: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected letters, digits, "_" or "-" (1-64)'),
        token: secretText.nullable().default(null),
        priority: z.number().int().min(1).max(5).nullable().default(null),
      })
      .strict(),
    secrets: ['token'],
  },
  email: {
    schema: z
      .object({
        host: hostname,
        port: z.number().int().min(1).max(65535).default(587),
        security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
        username: z.string().min(1).max(320).nullable().default(null),
        password: secretText.nullable().default(null),
        from: z.email().max(320),
        to: z.array(z.email().max(320)).min(1).max(20),
        verifyCertificate: z.boolean().default(true),
      })
      .strict(),
    secrets: ['password'],
  },
} as const;

/** A channel type. */
export type ChannelType = keyof typeof CHANNEL_TYPES;
/** The channel types, in the order the API lists them. */
export const CHANNEL_TYPE_NAMES = Object.keys(CHANNEL_TYPES) as ChannelType[];

/** A channel's full config (secrets in plain text) for one type. */
export type ChannelConfig<T extends ChannelType = ChannelType> = z.output<
  (typeof CHANNEL_TYPES)[T]['schema']
>;

/** A secret as the API shows it. */
export interface SecretView {
  set: boolean;
  hint: string | null;
}

const secretsOf = (type: ChannelType): readonly string[] => CHANNEL_TYPES[type].secrets;

/** Validate a full config for a type; field errors are reported under `config.<field>`. */
export function parseConfig(type: ChannelType, input: unknown): ChannelConfig {
  const parsed = CHANNEL_TYPES[type].schema.safeParse(input);
  if (!parsed.success) {
    throw validationError(
      `invalid ${type} channel config`,
      parsed.error.issues.map((i) => ({ path: ['config', ...i.path].join('.'), message: i.message })),
    );
  }
  return parsed.data as ChannelConfig;
}

/** Split a config into the stored JSON (no secrets) and the encrypted secrets. */
export function sealConfig(
  type: ChannelType,
  config: ChannelConfig,
  box: SecretBox,
): { config: string; secrets: string } {
  const plain: Record<string, unknown> = {};
  const sealed: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!secretsOf(type).includes(key)) plain[key] = value;
    else if (typeof value === 'string') sealed[key] = box.encrypt(value);
  }
  return { config: JSON.stringify(plain), secrets: JSON.stringify(sealed) };
}

/** The full config of a stored channel, secrets decrypted (for sending). */
export function openConfig(
  row: { type: string; config: string; secrets: string },
  box: SecretBox,
): ChannelConfig {
  const type = row.type as ChannelType;
  const out: Record<string, unknown> = JSON.parse(row.config);
  const sealed = JSON.parse(row.secrets) as Record<string, string>;
  for (const key of secretsOf(type)) out[key] = sealed[key] ? box.decrypt(sealed[key]) : null;
  return out as ChannelConfig;
}

/** Config as the API shows it: secrets as `{set, hint}` (the last four characters at most). */
export function configView(type: ChannelType, config: ChannelConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = secretsOf(type).includes(key)
      ? ({
          set: typeof value === 'string',
          hint: typeof value === 'string' ? hintOf(value) : null,
        } satisfies SecretView)
      : value;
  }
  return out;
}

/**
 * Apply a PATCH's config to the current full config: a given value replaces, `null` clears, an
 * absent key (a secret in particular) stays; the result is validated as a whole.
 */
export function mergeConfig(type: ChannelType, current: ChannelConfig, patch: Record<string, unknown>) {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return parseConfig(type, next);
}

/** Every secret value of a config (for masking error messages). */
export const secretValues = (type: ChannelType, config: ChannelConfig): string[] =>
  secretsOf(type)
    .map((k) => (config as Record<string, unknown>)[k])
    .filter((v): v is string => typeof v === 'string');
