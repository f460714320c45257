/** Words for people: a refused request explains each field in a plain sentence, never in zod's words. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';

const ZOD_WORDS = /Invalid input|Too big|Too small|Unrecognized key|expected (string|number)|received/;

describe('validation messages', () => {
  let t: TestApp;
  let auth: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp({ env: { WARP_BASE_DOMAIN: 'example.test' } });
    auth = await t.adminBearer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('maps every zod issue to a sentence on its field', async () => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/projects/quick-service',
      headers: auth,
      payload: { image: 5, subdomain: '', containerPort: 70000, env: { A: 1 }, extra: true },
    });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).not.toMatch(ZOD_WORDS);
    const byPath = Object.fromEntries(
      error.details.map((d: { path: string; message: string }) => [d.path, d.message]),
    );
    expect(byPath).toMatchObject({
      image: 'must be text',
      subdomain: 'must not be empty',
      containerPort: 'must be 65535 or less',
      'env.A': 'must be text',
      extra: 'is not a field this request takes',
    });
    for (const d of error.details) expect(d.message).not.toMatch(ZOD_WORDS);
  });

  it('says a missing field is required and names accepted values', async () => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/projects/from-template',
      headers: auth,
      payload: { template: 'acme/web', visibility: 'secret' },
    });
    expect(res.statusCode).toBe(400);
    const byPath = Object.fromEntries(
      res.json().error.details.map((d: { path: string; message: string }) => [d.path, d.message]),
    );
    expect(byPath).toMatchObject({
      name: 'is required',
      subdomain: 'is required',
      visibility: 'must be one of "private", "public"',
    });
    expect(res.json().error.message).toMatch(/^(name|subdomain|visibility) .+ \(and 2 other problems\)$/);
  });

  it('explains a bad id in the path', async () => {
    const res = await t.app.http.inject({ url: '/api/v1/projects/not-an-id', headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ path: 'id', message: 'must be an id (a UUID)' }]);
  });

  it('names settings as people see them, never by their internal path', async () => {
    const res = await t.app.http.inject({ url: '/auth/login' });
    expect(res.statusCode).toBe(422);
    const message: string = res.json().error.message;
    expect(message).toContain('GitHub OAuth client ID');
    expect(message).not.toMatch(/\b(github|tunnel|cloudflare)\.[a-z][A-Za-z]+/);
  });
});
