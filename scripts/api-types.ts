import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/lib/logger.js';

/** Where the generated client types live (committed; checked by test/integration/api-types.test.ts). */
export const API_TYPES_FILE = path.resolve(import.meta.dirname, '../web/src/api/openapi.gen.ts');

const HEADER = `// Generated from the server's route schemas (GET /api/openapi.json) by scripts/gen-api-types.ts.
// Do not edit: change the route schema, then run \`npm run api:types\`.
`;

/** The OpenAPI document of the real app: built in-process on a throwaway data dir (SQLite), never listening. */
export async function loadOpenApiDocument(): Promise<OpenAPI3> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-api-types-'));
  try {
    const config = loadConfig(
      {
        WARP_DATA_DIR: dataDir,
        WARP_LOG_LEVEL: 'silent',
        WARP_CLOUDFLARED_CONFIG: path.join(dataDir, 'cloudflared', 'config.yml'),
        WARP_TUNNEL_RESTART: 'none',
      },
      dataDir,
    );
    const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
    const app = await createApp({ config, logger: createLogger('silent', silent) });
    try {
      await app.http.ready();
      return structuredClone(await app.openapi()) as unknown as OpenAPI3;
    } finally {
      await app.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The TypeScript source of web/src/api/openapi.gen.ts: same schemas in, same bytes out. */
export async function renderApiTypes(document?: OpenAPI3): Promise<string> {
  // A copy: the caller may reuse its document, and openapiTS is free to annotate what it is given.
  const doc = structuredClone(document ?? (await loadOpenApiDocument()));
  // Sorted keys: the output follows the schemas, not the order in which routes happen to be registered.
  const ast = await openapiTS(doc, { alphabetize: true, silent: true });
  return `${HEADER}\n${astToString(ast)}`;
}
