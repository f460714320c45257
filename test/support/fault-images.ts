import type Docker from 'dockerode';
import { importBusyboxImage } from './docker.js';

/** Serves HTTP on port 80 only after 60 s: a deploy sits in its health gate for a long time. */
export const SLOW_WEB_IMAGE = 'warp-test/slow-web:latest';
/** Prints its SECRET_TOKEN env value, then exits 3: a failing deploy whose log would carry a secret. */
export const ENV_ECHO_IMAGE = 'warp-test/env-echo:latest';

/** Build the fault-injection and secret-scan images (idempotent; engine import, no registry). */
export async function ensureFaultImages(docker: Docker): Promise<void> {
  await importBusyboxImage(docker, SLOW_WEB_IMAGE, [
    'ENV PATH=/bin',
    'WORKDIR /tmp',
    'CMD ["sh", "-c", "sleep 60; exec httpd -f -p 80 -h /tmp"]',
  ]);
  await importBusyboxImage(docker, ENV_ECHO_IMAGE, [
    'ENV PATH=/bin',
    'CMD ["sh", "-c", "echo the token is $SECRET_TOKEN; echo and again: $SECRET_TOKEN >&2; exit 3"]',
  ]);
}
