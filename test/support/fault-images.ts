import type Docker from 'dockerode';
import { importBusyboxImage } from './docker.js';

/** Serves HTTP on port 80 only after 60 s: a deploy sits in its health gate for a long time. */
export const SLOW_WEB_IMAGE = 'warp-test/slow-web:latest';
/**
 * Serves HTTP at once on its first run, but waits 60 s on every later run of the same volume: a
 * redeploy (which keeps the volume) sits in its health gate.
 */
export const SLOW_SECOND_IMAGE = 'warp-test/slow-second:latest';
/** Prints its SECRET_TOKEN env value, then exits 3: a failing deploy whose log would carry a secret. */
export const ENV_ECHO_IMAGE = 'warp-test/env-echo:latest';

/** Build the fault-injection and secret-scan images (idempotent; engine import, no registry). */
export async function ensureFaultImages(docker: Docker): Promise<void> {
  await importBusyboxImage(docker, SLOW_WEB_IMAGE, [
    'ENV PATH=/bin',
    'WORKDIR /tmp',
    'CMD ["sh", "-c", "sleep 60; exec httpd -f -p 80 -h /tmp"]',
  ]);
  await importBusyboxImage(docker, SLOW_SECOND_IMAGE, [
    'ENV PATH=/bin',
    'WORKDIR /tmp',
    'VOLUME ["/data"]',
    'CMD ["sh", "-c", "if [ -f /data/started ]; then sleep 60; fi; touch /data/started; exec httpd -f -p 80 -h /tmp"]',
  ]);
  await importBusyboxImage(docker, ENV_ECHO_IMAGE, [
    'ENV PATH=/bin',
    'CMD ["sh", "-c", "echo the token is $SECRET_TOKEN; echo and again: $SECRET_TOKEN >&2; exit 3"]',
  ]);
}
