import { z } from 'zod';
import { jobSchema } from '../jobs/index.js';
import { cronProblem, isTimeZone } from './backup-schedule.js';

const VOLUME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;
const SERVICE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

const cron = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .superRefine((expr, ctx) => {
    const problem = cronProblem(expr);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const uniqueNames = (pattern: RegExp, what: string) =>
  z
    .array(z.string().regex(pattern, `expected a ${what} name`))
    .max(50)
    .refine((names) => new Set(names).size === names.length, 'names must be unique');

const absolutePath = z
  .string()
  .min(2)
  .max(1024)
  .refine(
    (p) => p.startsWith('/') && !p.includes('\0') && !/(^|\/)\.\.?(\/|$)/.test(p) && !/\/\/|\/$/.test(p),
    'expected a normalised absolute path other than /',
  );

const localTarget = z.object({ type: z.literal('local'), path: absolutePath }).strict();

const s3Target = z
  .object({
    type: z.literal('s3'),
    endpoint: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).max(512),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name'),
    prefix: z
      .string()
      .max(512)
      .regex(/^[A-Za-z0-9!_.*'()/-]*$/, 'expected an object key prefix')
      .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'no "." or ".." parts')
      .default(''),
    region: z
      .string()
      .regex(/^[a-z0-9-]{0,64}$/, 'expected a region like us-east-1')
      .default('us-east-1'),
    /** Write-only: omit to keep the stored key. */
    accessKeyId: z.string().min(1).max(256).optional(),
    /** Write-only: omit to keep the stored key. */
    secretAccessKey: z.string().min(1).max(1024).optional(),
    caCertificate: z
      .string()
      .max(65_536)
      .regex(/-----BEGIN CERTIFICATE-----/, 'expected a PEM certificate')
      .nullable()
      .default(null),
  })
  .strict();

/** `PUT /api/v1/projects/:id/backup-policy` body. */
export const backupPolicyBodySchema = z
  .object({
    schedule: cron.nullable(),
    timezone: z
      .string()
      .max(64)
      .refine(isTimeZone, 'expected an IANA time zone like Europe/Berlin')
      .default('UTC'),
    beforeDeploy: z.boolean().default(false),
    volumes: uniqueNames(VOLUME, 'volume').default([]),
    databases: uniqueNames(SERVICE, 'service').default([]),
    target: z.discriminatedUnion('type', [localTarget, s3Target]),
    retention: z
      .object({
        last: z.number().int().min(1).max(1000),
        daily: z.number().int().min(0).max(3650),
        weekly: z.number().int().min(0).max(520),
      })
      .strict()
      .default({ last: 7, daily: 7, weekly: 4 }),
    verifySchedule: cron.nullable().default('0 4 * * 0'),
  })
  .strict()
  .refine((p) => p.volumes.length + p.databases.length > 0, {
    message: 'choose at least one volume or database',
    path: ['volumes'],
  });

/** A parsed policy body. */
export type BackupPolicyBody = z.output<typeof backupPolicyBodySchema>;

const secretView = z.object({ set: z.boolean(), hint: z.string().nullable() });

/** The policy as the API shows it: S3 keys as `{set, hint}`, plus where the repository is and run state. */
export const backupPolicyViewSchema = z.object({
  configured: z.boolean(),
  schedule: z.string().nullable(),
  timezone: z.string(),
  beforeDeploy: z.boolean(),
  volumes: z.array(z.string()),
  databases: z.array(z.string()),
  target: z.discriminatedUnion('type', [
    z.object({ type: z.literal('local'), path: z.string() }),
    z.object({
      type: z.literal('s3'),
      endpoint: z.string(),
      bucket: z.string(),
      prefix: z.string(),
      region: z.string(),
      accessKeyId: secretView,
      secretAccessKey: secretView,
      caCertificate: z.string().nullable(),
    }),
  ]),
  retention: z.object({ last: z.number(), daily: z.number(), weekly: z.number() }),
  verifySchedule: z.string().nullable(),
  repository: z.string().nullable(),
  state: z.object({
    lastStatus: z.enum(['running', 'succeeded', 'partial', 'failed']).nullable(),
    lastRunAt: z.string().nullable(),
    lastSuccessAt: z.string().nullable(),
    lastError: z.string().nullable(),
    lastJobId: z.string().nullable(),
    lastVerifyAt: z.string().nullable(),
    lastVerifyStatus: z.enum(['succeeded', 'failed']).nullable(),
    lastVerifyError: z.string().nullable(),
    nextRunAt: z.string().nullable(),
    nextVerifyAt: z.string().nullable(),
    failing: z.boolean(),
  }),
});

/** The policy view. */
export type BackupPolicyView = z.infer<typeof backupPolicyViewSchema>;

const itemSchema = z.object({
  kind: z.enum(['volume', 'database']),
  name: z.string(),
  status: z.enum(['succeeded', 'failed']),
  bytes: z.number(),
  snapshotId: z.string().nullable(),
  error: z.string().nullable(),
});

/** One backup run in `GET /api/v1/projects/:id/backups`. */
export const backupSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  size: z.number(),
  added: z.number(),
  volumes: z.array(z.string()),
  databases: z.array(z.string()),
  status: z.enum(['running', 'succeeded', 'partial', 'failed']),
  reason: z.enum(['manual', 'schedule', 'deploy']),
  jobId: z.string().nullable(),
  error: z.string().nullable(),
  items: z.array(itemSchema),
});

/** A backup run as the API shows it. */
export type BackupView = z.infer<typeof backupSchema>;

/** `POST …/backups/:bid/restore` body. */
export const restoreBodySchema = z
  .object({
    into: z.enum(['project', 'new']).default('project'),
    volumes: z.array(z.string().regex(VOLUME)).max(50).optional(),
    databases: z.array(z.string().regex(SERVICE)).max(50).optional(),
  })
  .strict();

/** A parsed restore request. */
export type RestoreBody = z.output<typeof restoreBodySchema>;

/** `202 {job}` */
export const backupJobSchema = z.object({ job: jobSchema });

/** Path parameters of a backup run. */
export const backupParams = z.object({ id: z.uuid(), bid: z.uuid() }).strict();

/** One project in `GET /api/v1/backups/status` (the dashboard). */
export const backupStatusSchema = z.object({
  projectId: z.string(),
  projectName: z.string(),
  schedule: z.string().nullable(),
  lastStatus: z.enum(['running', 'succeeded', 'partial', 'failed']).nullable(),
  lastRunAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastError: z.string().nullable(),
  lastJobId: z.string().nullable(),
  lastVerifyStatus: z.enum(['succeeded', 'failed']).nullable(),
  lastVerifyAt: z.string().nullable(),
  nextRunAt: z.string().nullable(),
  failing: z.boolean(),
});
