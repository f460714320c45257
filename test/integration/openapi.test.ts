/**
 * OpenAPI that clients can use: every operation has a summary, says who may call it (security and
 * x-warp-role) and lists the error responses it can give in the shared Error component; the main
 * shapes are named components; the SSE routes' 200 is text/event-stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authLevelOf } from '../../src/http/plugins/auth.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

type Operation = {
  summary?: string;
  security?: Record<string, string[]>[];
  'x-warp-role'?: string;
  parameters?: { in: string }[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
};

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, unknown> };
  };
  const operations = () =>
    Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.entries(methods).map(([m, op]) => ({ key: `${m.toUpperCase()} ${p}`, path: p, method: m, op })),
    );

  beforeAll(async () => {
    t = await createTestApp();
    const res = await t.app.http.inject({ url: '/api/openapi.json', headers: await t.adminBearer() });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(async () => {
    await t.close();
  });

  it('documents every API route', () => {
    const documented = new Set(operations().map((o) => o.key));
    const api = t.app.routes.filter(
      (r) => r.url.startsWith('/api/v1') || r.url.startsWith('/auth') || r.url.startsWith('/health'),
    );
    for (const r of api) {
      expect(documented, `${r.method} ${r.url}`).toContain(
        `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`,
      );
    }
    expect(api.length).toBeGreaterThan(50);
  });

  it('gives every operation a summary, its security and role, and its error responses', () => {
    const roles = new Map(
      t.app.routes.map((r) => [
        `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`,
        authLevelOf(r.url, r.auth as never),
      ]),
    );
    for (const { key, op, method } of operations()) {
      expect(op.summary, `${key} summary`).toMatch(/\w{3,}/);
      const role = roles.get(key);
      expect(op['x-warp-role'], key).toBe(role);
      if (role === 'public') {
        expect(op.security, key).toEqual([]);
      } else {
        expect(op.security, key).toEqual([{ bearer: [] }, { session: [] }]);
        expect(Object.keys(op.responses), key).toContain('401');
        if (role === 'admin' || method !== 'get') expect(Object.keys(op.responses), key).toContain('403');
      }
      const codes = Object.keys(op.responses);
      expect(codes, key).toContain('500');
      if (op.requestBody || op.parameters?.length) expect(codes, key).toContain('400');
      if (op.parameters?.some((p) => p.in === 'path')) expect(codes, key).toContain('404');
      // Health checks answer 503 with their own {status} body; every other error is the Error shape.
      for (const code of codes.filter(
        (c) => Number(c) >= 400 && !(c === '503' && key.includes(' /health/')),
      )) {
        expect(op.responses[code]!.content?.['application/json']?.schema.$ref, `${key} ${code}`).toBe(
          '#/components/schemas/ErrorBody',
        );
      }
    }
  });

  it('lists the domain errors a route really gives', () => {
    const codes = (key: string) => {
      const [method, path] = key.split(' ') as [string, string];
      return Object.keys(doc.paths[path]![method.toLowerCase()]!.responses);
    };
    expect(codes('PATCH /api/v1/projects/{id}')).toEqual(expect.arrayContaining(['409', '422']));
    expect(codes('POST /api/v1/forwards')).toContain('409');
    expect(codes('GET /api/v1/containers')).toContain('502');
    expect(codes('POST /auth/password/login')).toContain('429');
    // A route that touches no upstream does not claim a 502.
    expect(codes('GET /api/v1/projects')).not.toContain('502');
    expect(codes('GET /healthz')).not.toContain('401');
  });

  it('names the shared shapes as components and refers to them', () => {
    for (const name of [
      'Project',
      'Job',
      'User',
      'ErrorBody',
      'Container',
      'Settings',
      'Passkey',
      'JobLogLine',
    ]) {
      expect(doc.components.schemas, name).toHaveProperty(name);
    }
    const get = doc.paths['/api/v1/projects/{id}']!.get!;
    expect(get.responses['200']!.content!['application/json']!.schema.$ref).toBe(
      '#/components/schemas/Project',
    );
    expect(JSON.stringify(doc.components.schemas.Project)).toContain('degraded');
    expect(JSON.stringify(doc.components.schemas.Job)).toContain('title');
  });

  it('documents the SSE routes as text/event-stream', () => {
    for (const path of [
      '/api/v1/jobs/{id}/logs/stream',
      '/api/v1/containers/logs/stream',
      '/api/v1/projects/{id}/service-logs/stream',
    ]) {
      const ok = doc.paths[path]!.get!.responses['200']!;
      expect(Object.keys(ok.content ?? {}), path).toEqual(['text/event-stream']);
    }
  });
});
