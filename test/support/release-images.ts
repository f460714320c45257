import type Docker from 'dockerode';
import { importBusyboxImage } from './docker.js';

/** An image whose `/` answers 200 with `text` (busybox httpd on port 80): one "release" of an app. */
export function releaseImage(docker: Docker, version: string): Promise<string> {
  return importBusyboxImage(docker, `warp-test/release-${version}:latest`, [
    'ENV PATH=/bin',
    'WORKDIR /tmp',
    `CMD ["sh", "-c", "echo ${version} > /tmp/index.html; exec httpd -f -p 80 -h /tmp"]`,
  ]);
}

/** An image whose `/` answers 200 with `$MSG` (compose projects change MSG between releases). */
export const ECHO_IMAGE = 'warp-test/release-echo:latest';
/** An image that answers at once, then exits after 2 s: it passes the first check and falls over live. */
export const FLAKY_IMAGE = 'warp-test/release-flaky:latest';

/** Build the echo and flaky images (idempotent). */
export async function ensureReleaseImages(docker: Docker): Promise<void> {
  await importBusyboxImage(docker, ECHO_IMAGE, [
    'ENV PATH=/bin',
    'WORKDIR /tmp',
    'CMD ["sh", "-c", "echo \\"$MSG\\" > /tmp/index.html; exec httpd -f -p 80 -h /tmp"]',
  ]);
  await importBusyboxImage(docker, FLAKY_IMAGE, [
    'ENV PATH=/bin',
    'WORKDIR /tmp',
    'CMD ["sh", "-c", "echo flaky > /tmp/index.html; httpd -p 80 -h /tmp; sleep 2; exit 1"]',
  ]);
}

/** Point `repo:latest` at `image` (a registry tag moving on to a new build). */
export async function retag(docker: Docker, image: string, repo: string): Promise<void> {
  await docker.getImage(image).tag({ repo, tag: 'latest' });
}

/** GET http://127.0.0.1:<port>/ → the body, trimmed (null when nothing answers). */
export async function served(port: number): Promise<string | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return (await res.text()).trim();
  } catch {
    return null;
  }
}
