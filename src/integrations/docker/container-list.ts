import type { IncomingMessage } from 'node:http';
import type Docker from 'dockerode';
import { createJsonArrayStream } from '../../lib/json-array-stream.js';

/**
 * `GET /containers/json` (what dockerode's `listContainers` asks), read as the engine sends it: each
 * container summary is parsed on its own and handed to `each`, so a list of thousands of containers
 * (about 0.7 KB each) never sits in the panel's memory as one string or one parsed array.
 */
export function streamContainerList(
  docker: Docker,
  options: Docker.ContainerListOptions,
  each: (summary: Docker.ContainerInfo) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: '/containers/json?',
        method: 'GET',
        options,
        isStream: true,
        statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
      },
      (err: unknown, res: unknown) => {
        if (err) return reject(err);
        const body = res as IncomingMessage;
        const parser = createJsonArrayStream(each);
        body.on('data', (chunk: Buffer) => {
          try {
            parser.write(chunk);
          } catch (e) {
            body.destroy();
            reject(e);
          }
        });
        body.on('end', () => {
          try {
            parser.end();
            resolve();
          } catch (e) {
            reject(e);
          }
        });
        body.on('error', reject);
      },
    );
  });
}
