/**
 * Reads a container's log tail through the panel's reader in a process with a small heap
 * (`node --max-old-space-size=…`): holding the whole log at once would end it with an out-of-memory
 * crash. Prints `{ lines, bytes, truncated, peakRss }` as JSON.
 */
import { createDockerClient } from '../../src/integrations/docker/docker-client.js';
import { readLogTail } from '../../src/integrations/docker/log-tail.js';
import { createLogger } from '../../src/lib/logger.js';

const [dockerHost, id, tail] = process.argv.slice(2);
const docker = createDockerClient({ dockerHost: dockerHost ?? '', log: createLogger('warn') });
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 10);
const { lines, truncated } = await readLogTail(docker, id ?? '', { tail: Number(tail), tty: false });
clearInterval(sampler);
const bytes = lines.reduce((n, l) => n + l.text.length, 0);
process.stdout.write(`${JSON.stringify({ lines: lines.length, bytes, truncated, peakRss })}\n`);
process.exit(0);
