/**
 * A child process for the crash-recovery test: builds the app on the data dir and database given in
 * the environment, enqueues a blocking job and a queued one for the same project, starts the runner,
 * prints `READY <blockingJobId> <queuedJobId>` once the first job runs, then waits to be SIGKILLed.
 */
import { z } from 'zod';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { defineJob } from '../../src/features/jobs/job-types.js';
import { createLogger } from '../../src/lib/logger.js';
import { actorContext } from './job-helpers.js';

const config = loadConfig(process.env, process.env.WARP_DATA_DIR ?? '.');
const app = await createApp({ config, logger: createLogger('silent') });
app.jobs.register(
  defineJob({
    type: 'test.block',
    input: z.object({}).strict(),
    async handler(ctx) {
      ctx.log.info('blocking until killed');
      await new Promise<void>((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
      );
    },
  }),
);
// Registered so enqueue accepts it; it never runs here (the blocking job holds the project).
app.jobs.register(
  defineJob({
    type: 'test.after-crash',
    input: z.object({ n: z.number() }).strict(),
    handler: async () => null,
  }),
);
const projectId = '01900000-0000-7000-8000-000000000001';
const ctx = actorContext('crash-test');
const blocking = await app.jobs.enqueue(ctx, 'test.block', {}, { projectId });
const queued = await app.jobs.enqueue(ctx, 'test.after-crash', { n: 1 }, { projectId });
await app.runner.start();
for (;;) {
  const job = await app.jobs.get(blocking.id);
  if (job.status === 'running') break;
  await new Promise((r) => setTimeout(r, 10));
}
// Make sure the "blocking" line is stored before the kill.
await new Promise((r) => setTimeout(r, 100));
process.stdout.write(`READY ${blocking.id} ${queued.id}\n`);
setInterval(() => {}, 1000);
