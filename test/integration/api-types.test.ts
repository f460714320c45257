import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OpenAPI3 } from 'openapi-typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_TYPES_FILE, loadOpenApiDocument, renderApiTypes } from '../../scripts/api-types.js';

/** Where two texts part, as "line N", for a readable failure. */
function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  const i = left.findIndex((line, n) => line !== right[n]);
  const n = i === -1 ? Math.min(left.length, right.length) : i;
  return `line ${n + 1}: committed ${JSON.stringify(left[n] ?? '<end>')}, schemas say ${JSON.stringify(right[n] ?? '<end>')}`;
}

describe('web client API types', () => {
  let doc: OpenAPI3;
  let fresh: string;
  beforeAll(async () => {
    doc = await loadOpenApiDocument();
    fresh = await renderApiTypes(doc);
  });

  it('web/src/api/openapi.gen.ts is what the route schemas generate', () => {
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    const where = path.relative(process.cwd(), API_TYPES_FILE);
    expect(
      committed === fresh,
      `${where} is out of date (${firstDifference(committed, fresh)}): run \`npm run api:types\``,
    ).toBe(true);
  });

  it('is deterministic, and follows a changed schema', async () => {
    expect(await renderApiTypes(doc)).toBe(fresh);
    // The comparison above can fail: one more field on Project is a different file.
    const changed = structuredClone(doc) as OpenAPI3 & {
      components: { schemas: { Project: { properties: Record<string, unknown> } } };
    };
    changed.components.schemas.Project.properties.renamedField = { type: 'string' };
    const other = await renderApiTypes(changed);
    expect(other).not.toBe(fresh);
    expect(other).toContain('renamedField?: string;');
  });
});
