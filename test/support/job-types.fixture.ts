import { z } from 'zod';
import { AppError } from '../../src/domain/errors.js';
import { defineJob, type JobContext, type JobDefinition } from '../../src/features/jobs/job-types.js';
import { deferred } from './job-helpers.js';

/** Wait for `promise`, or reject with the abort reason when the job is aborted. */
export function untilAborted<T>(ctx: JobContext<unknown>, promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (ctx.signal.aborted) return reject(ctx.signal.reason);
    ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    promise.then(resolve, reject);
  });
}

/** Test-only job types (registered by tests, never shipped) and the gates/events they record. */
export function createTestJobTypes(
  leak: { settingsSecret: string; extra: string } = { settingsSecret: '', extra: '' },
) {
  const gates = new Map<string, ReturnType<typeof deferred<void>>>();
  const events: string[] = [];
  const gate = (key: string) => {
    let g = gates.get(key);
    if (!g) {
      g = deferred();
      gates.set(key, g);
    }
    return g;
  };

  const types: JobDefinition[] = [
    /** Records start/end and waits for its gate (or its abort). */
    defineJob({
      type: 'test.gate',
      input: z.object({ key: z.string() }).strict(),
      async handler(ctx) {
        events.push(`start:${ctx.input.key}`);
        ctx.log.info(`waiting for gate ${ctx.input.key}`);
        try {
          await untilAborted(ctx, gate(ctx.input.key).promise);
        } finally {
          events.push(`end:${ctx.input.key}`);
        }
        return { key: ctx.input.key };
      },
    }),
    /** Writes `count` numbered lines, optionally pausing at a gate half-way. */
    defineJob({
      type: 'test.lines',
      input: z.object({ count: z.number().int().min(0), pauseAt: z.number().int().optional() }).strict(),
      async handler(ctx) {
        for (let i = 1; i <= ctx.input.count; i++) {
          if (i === ctx.input.pauseAt) await untilAborted(ctx, gate(`lines:${ctx.job.id}`).promise);
          ctx.log.info(`line ${i}`);
        }
        return { written: ctx.input.count };
      },
    }),
    /** Runs a program through ctx.run inside a step. */
    defineJob({
      type: 'test.run',
      input: z.object({ argv: z.array(z.string()).min(1), timeoutMs: z.number().int().optional() }).strict(),
      async handler(ctx) {
        const opts = ctx.input.timeoutMs ? { timeoutMs: ctx.input.timeoutMs } : {};
        const res = await ctx.step('Running the program', () => ctx.run(ctx.input.argv, opts));
        return { code: res.code, stdoutChars: res.stdout.length };
      },
    }),
    /** Throws an AppError or a plain Error carrying `message`. */
    defineJob({
      type: 'test.fail',
      input: z.object({ kind: z.enum(['app', 'plain']), message: z.string() }).strict(),
      async handler(ctx) {
        if (ctx.input.kind === 'app') throw new AppError('UPSTREAM_ERROR', ctx.input.message);
        throw new Error(ctx.input.message);
      },
    }),
    /** Prints secrets every way a handler might: log lines, program output, error messages. */
    defineJob({
      type: 'test.secrets',
      input: z.object({ note: z.string().optional() }).strict(),
      async handler(ctx) {
        ctx.addSecret(leak.extra);
        ctx.log.info(`settings secret is ${leak.settingsSecret}`);
        ctx.log.info(`extra secret is ${leak.extra}`);
        await ctx.run([
          'sh',
          '-c',
          'echo "out $1 $2"; echo "err $1" >&2',
          'sh',
          leak.extra,
          leak.settingsSecret,
        ]);
        await ctx.run(['sh', '-c', 'echo "failing with $1" >&2; exit 3', 'sh', leak.extra]);
        return null;
      },
    }),
  ];
  return { types, gates, gate, events };
}
