/**
 * Fuzzing deploy-existing through the real API: user paths (traversal, symlinks in and out of the repos
 * root, NUL, backslashes, unicode) and random compose files under the repos root, each resolved by the
 * real Compose. A path answer is 202/400/404/409 and an accepted path is a real folder inside the root;
 * a compose file answer is 202 or 400 — never 5xx — and a refusal changes nothing. The runner is not
 * started: nothing runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { anyBody, nastyString, snapshotState } from '../support/fuzz-state.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let tried = 0;
const COMPOSE = 'services:\n  web:\n    image: warp-test/web:latest\n    ports: ["8080:80"]\n';
/** Folders whose compose file may be deployed (the last two reach `good` through an inside link). */
const DEPLOYABLE = new Set(['good', 'nested/app', 'unicodé', 'dot.dir', 'link-in', 'link-in/.']);

describe('fuzzing deploy-existing: paths and compose files', { timeout: 240_000 }, () => {
  let t: TestApp;
  let auth: Record<string, string>;
  let root: string;
  let n = 0;

  async function deploy(body: unknown, allowed: number[]) {
    tried++;
    const before = await snapshotState(t, null);
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/projects/deploy-existing',
      headers: auth,
      payload: body as Record<string, unknown>,
    });
    const label = `${JSON.stringify(body).slice(0, 400)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
    expect(allowed, label).toContain(res.statusCode);
    if (res.statusCode >= 400) expect(await snapshotState(t, null), label).toEqual(before);
    return res;
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { WARP_BASE_DOMAIN: 'example.test' } });
    auth = await t.adminBearer();
    root = path.join(t.dataDir, 'repos');
    for (const dir of ['good', 'nested/app', 'unicodé', 'dot.dir', 'nocompose', 'filelink']) {
      fs.mkdirSync(path.join(root, dir), { recursive: true });
      if (dir !== 'nocompose' && dir !== 'filelink')
        fs.writeFileSync(path.join(root, dir, 'compose.yaml'), COMPOSE);
    }
    fs.symlinkSync('good', path.join(root, 'link-in'));
    fs.symlinkSync('/etc', path.join(root, 'link-out'));
    fs.symlinkSync('..', path.join(root, 'link-up'));
    fs.symlinkSync('link-loop', path.join(root, 'link-loop'));
    fs.symlinkSync('/etc/hostname', path.join(root, 'filelink', 'compose.yaml'));
  });
  afterAll(async () => {
    await t?.close();
    process.stdout.write(`fuzz-compose: ${tried} inputs tried\n`);
  });

  it('resolves only real folders inside the repos root, whatever the path', async () => {
    const segment = fc.constantFrom(
      ...['good', 'nested', 'app', 'unicodé', 'dot.dir', 'nocompose', 'filelink', 'link-in', 'link-out'],
      ...[
        'link-up',
        'link-loop',
        '..',
        '.',
        '',
        '%2e%2e',
        'etc',
        '\0',
        'a\\b',
        '~',
        'C:',
        ' ',
        'good\0',
        'ü',
      ],
    );
    const userPath = fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .tuple(fc.constantFrom('', '/', './'), fc.array(segment, { minLength: 1, maxLength: 4 }))
          .map(([lead, s]) => lead + s.join('/')),
      },
      nastyString,
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(userPath, async (p) => {
        const res = await deploy({ path: p, subdomain: `p${++n}` }, [202, 400, 404, 409]);
        if (res.statusCode !== 202) return;
        accepted++;
        const stored = res.json().project.path as string;
        expect(DEPLOYABLE, `${p} → ${stored}`).toContain(stored);
        const real = fs.realpathSync(path.join(root, stored));
        expect(real.startsWith(fs.realpathSync(root) + path.sep)).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('answers 202 or 400 (never 5xx) for random compose files, changing nothing when refusing', async () => {
    const port = fc.oneof(
      fc.constantFrom(
        '80',
        '8080:80',
        '127.0.0.1:8080:80/tcp',
        '[::1]:80:80',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation, literally.
        '${PORT}:80',
        '8000-8005:80-85',
        '0',
        '99999',
        '',
      ),
      fc.integer({ min: -1, max: 70_000 }),
      fc.record({ target: fc.jsonValue(), published: fc.jsonValue() }, { requiredKeys: [] }),
      fc.jsonValue({ maxDepth: 1 }),
    );
    const labelKey = fc.constantFrom('warp.proxy', 'warp.port', 'other', '__proto__');
    const labelValue = fc.oneof(
      fc.constantFrom('true', 'TRUE', 'false', '80', 'x', ''),
      fc.jsonValue({ maxDepth: 1 }),
    );
    const service = fc.record(
      {
        image: fc.oneof(fc.constant('warp-test/web:latest'), fc.jsonValue({ maxDepth: 1 })),
        ports: fc.oneof(fc.array(port, { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
        labels: fc.oneof(
          fc.dictionary(labelKey, labelValue, { maxKeys: 3 }),
          fc.array(
            fc.oneof(
              fc.constantFrom('warp.proxy=true', 'warp.port=80', 'warp.port=x', 'noequals'),
              nastyString,
            ),
            { maxLength: 3 },
          ),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        build: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    );
    const serviceName = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/), nastyString);
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(',')}]`),
      'services: {web: {image: x, ports: ["80"], labels: *h}}',
    ].join('\n');
    const composeText = fc.oneof(
      {
        weight: 5,
        arbitrary: fc
          .dictionary(serviceName, service, { minKeys: 1, maxKeys: 3 })
          .map((services) => YAML.stringify({ services })),
      },
      // Compose itself is strict (an image or build, valid keys): a share of files it accepts.
      fc
        .tuple(fc.constantFrom('"80"', '"8080:80"', '{target: 80, published: "9000"}'), fc.boolean())
        .map(
          ([port, label]) =>
            `services:\n  web:\n    image: warp-test/web:latest\n    ports: [${port}]\n${label ? '    labels: {warp.proxy: "true"}\n' : ''}`,
        ),
      fc.jsonValue().map((v) => YAML.stringify(v)),
      fc.string({ maxLength: 300 }),
      anyBody.map((b) => b.raw),
      fc.constantFrom(
        bomb,
        'services:\n  web: &w {image: x, ports: ["80"]}\n  other:\n    <<: *w\n',
        'services: !!binary aGVsbG8=\n',
        'services:\n  web: {image: x}\n  web: {image: y}\n',
        '['.repeat(3000),
        `services:\n${'  '.repeat(1)}web: ${'{a: '.repeat(500)}1${'}'.repeat(500)}\n`,
        '\uFEFFservices:\n  web:\n    ports: ["80"]\n',
        'services:\n  web:\n    ports: ["80"]\n...\n---\nservices: {}\n',
      ),
    );
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(composeText, async (text) => {
        const name = `fz${++n}`;
        fs.mkdirSync(path.join(root, name));
        fs.writeFileSync(path.join(root, name, 'compose.yaml'), text);
        const res = await deploy({ path: name, subdomain: name }, [202, 400]);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      }),
      { numRuns: 300 },
    );
    expect(statuses.get(202) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  });
});
