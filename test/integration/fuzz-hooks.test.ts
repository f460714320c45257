/**
 * Fuzzing the hook endpoints (fast-check) through the real app: `POST /hooks/github` with arbitrary
 * headers (events, delivery ids, signatures, content types) and bodies — unsigned, wrongly signed, and
 * correctly signed but malformed JSON or push payloads with hostile field values — and
 * `POST /hooks/deploy/:projectId` with arbitrary ids, tokens and bodies. No input may produce a 5xx,
 * nothing may be queued, and refused deliveries must not pile up in the database.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REJECTED_KEPT } from '../../src/features/hooks/index.js';
import { newId } from '../../src/lib/ids.js';
import { anyBody, nastyString } from '../support/fuzz-state.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const SECRET = 'fuzz-webhook-secret-0123456789';
const sign = (body: Buffer) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
let tried = 0;
/** A new client address per input: the hooks' per-address rate limits must not hide the code paths. */
const nextAddress = () => `10.${(tried >> 16) & 255}.${(tried >> 8) & 255}.${tried & 255}`;

/** Header values: sane ones, hostile text, and absent. */
const header = (sane: fc.Arbitrary<string>) =>
  fc.oneof({ arbitrary: sane, weight: 3 }, { arbitrary: nastyString, weight: 2 }, fc.constant(undefined));
const anything = fc.oneof(fc.jsonValue({ maxDepth: 2 }), nastyString, fc.constant(undefined));
/** Push-shaped payloads for the real project's repo; the one combination that would deploy is filtered out. */
const pushLike = fc
  .record(
    {
      ref: fc.oneof(
        fc.constantFrom('refs/heads/main', 'refs/heads/dev', 'refs/tags/v1', 'main', ''),
        nastyString,
        anything,
      ),
      after: fc.oneof(
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 45 }),
        fc.constant('0'.repeat(40)),
        anything,
      ),
      deleted: fc.oneof(fc.boolean(), anything),
      repository: fc.oneof(
        fc.record({
          full_name: fc.oneof(
            fc.constantFrom('acme/shop', 'ACME/Shop', 'acme/', '/shop', 'a/b/c'),
            nastyString,
          ),
          default_branch: fc.oneof(fc.constantFrom('main', 'dev'), anything),
        }),
        anything,
      ),
      sender: fc.oneof(fc.record({ login: fc.oneof(fc.string({ maxLength: 50 }), anything) }), anything),
    },
    { requiredKeys: [] },
  )
  .filter(
    (p) =>
      !(
        p.ref === 'refs/heads/main' &&
        typeof p.after === 'string' &&
        /^[0-9a-f]{40}$/.test(p.after) &&
        p.deleted !== true &&
        typeof p.repository === 'object' &&
        p.repository !== null &&
        String((p.repository as { full_name?: unknown }).full_name).toLowerCase() === 'acme/shop'
      ),
  );

describe('fuzzing the hook endpoints', { timeout: 240_000 }, () => {
  let t: TestApp;
  let projectId: string;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { WARP_BASE_DOMAIN: 'example.test' } });
    const auth = await t.adminBearer();
    const now = new Date().toISOString();
    projectId = newId();
    await t.app.repos.projects.insert({
      id: projectId,
      name: 'shop',
      kind: 'existing',
      subdomain: 'shop',
      hostname: 'shop.example.test',
      host_port: 18990,
      status: 'running',
      repo_owner: 'acme',
      repo_name: 'shop',
      repo_url: null,
      image: null,
      path: 'shop',
      compose_project: 'warp-shop',
      container_names: '[]',
      spec: '{}',
      created_by: 'test',
      created_at: now,
      updated_at: now,
      last_job_id: null,
    });
    const settings = await t.app.http.inject({
      method: 'PATCH',
      url: '/api/v1/settings',
      headers: auth,
      payload: { github: { webhookSecret: SECRET } },
    });
    expect(settings.statusCode).toBe(200);
    const hook = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/projects/${projectId}/deploy-hook`,
      headers: auth,
    });
    token = hook.json().token;
  });
  afterAll(async () => {
    await t?.close();
    process.stdout.write(`fuzz-hooks: ${tried} inputs tried\n`);
  });

  const jobCount = async () => (await t.app.db.kysely.selectFrom('jobs').select('id').execute()).length;

  async function github(body: Buffer, h: Record<string, string | undefined>, signed: boolean) {
    tried++;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(h)) if (v !== undefined) headers[k] = v;
    if (signed) headers['x-hub-signature-256'] = sign(body);
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/hooks/github',
      headers,
      payload: body,
      remoteAddress: nextAddress(),
    });
    const label = `${JSON.stringify(headers).slice(0, 300)} ${body.toString('utf8').slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
    expect(res.statusCode < 500, label).toBe(true);
    if (!signed) expect(res.statusCode, label).toBe(401);
    return res;
  }

  const headers = fc.record({
    'x-github-event': header(fc.constantFrom('push', 'ping', 'installation', 'issues', 'PUSH', 'push ')),
    'x-github-delivery': header(fc.uuid()),
    'content-type': header(
      fc.constantFrom(
        'application/json',
        'application/x-www-form-urlencoded',
        'text/plain',
        'application/json; charset=utf-8',
      ),
    ),
    'x-hub-signature-256': header(
      fc.constantFrom(`sha256=${'0'.repeat(64)}`, 'sha256=', 'sha1=abc', 'sha256=zz'),
    ),
  });

  it('never answers 5xx and never queues a deploy, whatever the headers and bodies', async () => {
    const before = await jobCount();
    // Unsigned or wrongly signed: always 401.
    await fc.assert(
      fc.asyncProperty(anyBody, headers, async ({ raw }, h) => {
        await github(Buffer.from(raw), h, false);
      }),
      { numRuns: 200 },
    );
    // Correctly signed but arbitrary: malformed JSON, any JSON value, hostile objects.
    await fc.assert(
      fc.asyncProperty(anyBody, headers, async ({ raw }, h) => {
        const { 'x-hub-signature-256': _, ...rest } = h;
        await github(Buffer.from(raw), rest, true);
      }),
      { numRuns: 200 },
    );
    // Correctly signed push-shaped payloads with hostile values, JSON or form-encoded.
    await fc.assert(
      fc.asyncProperty(pushLike, fc.boolean(), fc.uuid(), async (payload, form, delivery) => {
        const json = JSON.stringify(payload);
        const body = Buffer.from(form ? new URLSearchParams({ payload: json }).toString() : json);
        const type = form ? 'application/x-www-form-urlencoded' : 'application/json';
        const res = await github(
          body,
          { 'x-github-event': 'push', 'x-github-delivery': delivery, 'content-type': type },
          true,
        );
        expect([200, 400], res.body).toContain(res.statusCode);
      }),
      { numRuns: 300 },
    );
    expect(await jobCount()).toBe(before);
    // Refused deliveries are recorded, but only the newest REJECTED_KEPT of them stay.
    const rejected = await t.app.db.kysely
      .selectFrom('hook_deliveries')
      .select('id')
      .where('result', '=', 'rejected')
      .where('dedupe_key', 'is', null)
      .execute();
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.length).toBeLessThanOrEqual(REJECTED_KEPT);
  });

  it('deploy hooks: arbitrary ids, tokens and bodies never answer 5xx or queue anything without the token', async () => {
    const before = await jobCount();
    // Non-empty: `/hooks/deploy/` matches no route (Fastify's 404 then judges the body).
    const id = fc.oneof(
      fc.constant(projectId),
      fc.uuid(),
      nastyString.map(encodeURIComponent).filter((s) => s !== ''),
    );
    const authorization = header(
      fc.oneof(
        fc.constant(`Bearer ${token.slice(0, -1)}`),
        fc.constant(token),
        fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`),
        fc.constant('Bearer '),
      ),
    );
    await fc.assert(
      fc.asyncProperty(id, authorization, anyBody, async (projectPath, auth, { raw }) => {
        tried++;
        const res = await t.app.http.inject({
          method: 'POST',
          url: `/hooks/deploy/${projectPath}`,
          remoteAddress: nextAddress(),
          headers: {
            'content-type': 'application/json',
            ...(auth === undefined ? {} : { authorization: auth }),
          },
          payload: raw,
        });
        const label = `${projectPath} ${auth} ${raw.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
        expect(res.statusCode < 500, label).toBe(true);
        // 414: a path parameter over Fastify's length limit.
        expect([401, 414], label).toContain(res.statusCode);
      }),
      { numRuns: 150 },
    );
    expect(await jobCount()).toBe(before);
  });
});
