/**
 * Shipped files: deploy/compose.yaml hands every variable of deploy/.env to the panel (checked with the
 * real `docker compose config`), the public URL follows the port, cloudflared is pinned, the image
 * carries OCI labels.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const hasCompose = spawnSync('docker', ['compose', 'version']).status === 0;

describe.skipIf(!hasCompose)('deploy/compose.yaml', () => {
  it('passes every variable of deploy/.env to the panel, and the public URL follows the port', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-shipped-'));
    fs.mkdirSync(path.join(dir, 'deploy'));
    fs.copyFileSync(path.join(ROOT, 'deploy/compose.yaml'), path.join(dir, 'deploy/compose.yaml'));
    fs.writeFileSync(
      path.join(dir, 'deploy/.env'),
      [
        'DOCKER_GID=999',
        'WARP_PORT=9090',
        'WARP_BASE_DOMAIN=example.com',
        'WARP_GITHUB_CLIENT_ID=Iv1.abc',
        'WARP_SESSION_MAX_HOURS=48',
        'WARP_ALLOWED_ORGS=acme',
        '',
      ].join('\n'),
    );
    const res = spawnSync(
      'docker',
      [
        'compose',
        '-f',
        path.join(dir, 'deploy/compose.yaml'),
        '--profile',
        'tunnel',
        'config',
        '--format',
        'json',
      ],
      { encoding: 'utf8' },
    );
    fs.rmSync(dir, { recursive: true, force: true });
    expect(res.status, res.stderr).toBe(0);
    const model = JSON.parse(res.stdout);
    const env = model.services.panel.environment as Record<string, string>;
    expect(env).toMatchObject({
      WARP_PORT: '9090',
      WARP_BASE_DOMAIN: 'example.com',
      WARP_GITHUB_CLIENT_ID: 'Iv1.abc',
      WARP_SESSION_MAX_HOURS: '48',
      WARP_ALLOWED_ORGS: 'acme',
    });
    expect(env.WARP_PUBLIC_URL).toBeUndefined();
    expect(loadConfig({ ...env, WARP_DATA_DIR: os.tmpdir() }, os.tmpdir()).publicUrl).toBe(
      'http://127.0.0.1:9090',
    );
    // A pinned cloudflared release (calendar versioned), never `latest`.
    expect(model.services.cloudflared.image).toMatch(/^cloudflare\/cloudflared:20\d\d\.\d{1,2}\.\d+$/);
  });
});

describe('Dockerfile', () => {
  it('labels the image with the OCI annotations', () => {
    const text = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const runtime = text.slice(text.indexOf('AS runtime'));
    for (const key of ['title', 'description', 'licenses', 'version', 'revision', 'source']) {
      expect(runtime).toContain(`org.opencontainers.image.${key}=`);
    }
  });
});

describe('README', () => {
  it('stays a guide: the measurement tables live in docs/, linked from it', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).not.toMatch(/^## (Performance|Reliability and security)$/m);
    expect(readme).not.toContain('| bench | figure | target |');
    for (const doc of ['docs/performance.md', 'docs/reliability.md']) {
      expect(readme).toContain(`](${doc})`);
      expect(fs.readFileSync(path.join(ROOT, doc), 'utf8')).toMatch(/^# /);
    }
    expect(fs.readFileSync(path.join(ROOT, 'docs/performance.md'), 'utf8')).toContain(
      '| bench | figure | target |',
    );
    // Its performance table is the compare run that docs/performance.md shows and explains, row for row.
    const compare = '| figure | panel | reference | ratio | target | met |';
    const rows = (text: string) =>
      text
        .slice(text.indexOf(compare))
        .split('\n')
        .filter((l, i, all) => l.startsWith('|') && all.slice(0, i).every((p) => p.startsWith('|')));
    const docRows = rows(fs.readFileSync(path.join(ROOT, 'docs/performance.md'), 'utf8'));
    expect(readme).toContain(compare);
    expect(rows(readme).length).toBeGreaterThan(10);
    expect(rows(readme)).toEqual(docRows);
    // Quick start tells a newcomer what works before a tunnel exists, and what a tunnel needs.
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Configuration'));
    expect(quick).toMatch(/Without a tunnel/);
    expect(quick).toMatch(/With a tunnel/);
  });
});
