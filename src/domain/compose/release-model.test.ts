import { describe, expect, it } from 'vitest';
import { pinnedModel, releaseModel, releaseProjectName } from './release-model.js';
import { composeStrategy, databaseOf, quickStrategy } from './release-strategy.js';

const proxy = { service: 'web', containerPort: 80 };
const ours = { mode: 'ingress', host_ip: '127.0.0.1', target: 80, published: '8100', protocol: 'tcp' };

describe('release models', () => {
  it('names releases warp-<slug> then warp-<slug>_<seq>', () => {
    expect(releaseProjectName('warp-shop', 1)).toBe('warp-shop');
    expect(releaseProjectName('warp-shop', 4)).toBe('warp-shop_4');
  });

  it('keeps volume names across releases and gives each release its own networks', () => {
    const v2 = {
      name: 'warp-shop',
      services: { web: { image: 'x', networks: { default: null, back: null } } },
      volumes: {
        data: { name: 'warp-shop_data' },
        ext: { external: true, name: 'ext' },
        mine: { name: 'kept' },
      },
      networks: {
        default: { name: 'warp-shop_default', ipam: {} },
        back: { name: 'warp-shop_back' },
        shared: { name: 'my-shared' },
        outside: { external: true, name: 'warp-shop_outside' },
      },
    };
    const before = structuredClone(v2);
    const out = releaseModel(v2, {
      baseProject: 'warp-shop',
      releaseProject: 'warp-shop_3',
      composeMajor: 2,
    });
    expect(v2).toEqual(before);
    expect(out.name).toBe('warp-shop_3');
    expect(out.volumes).toEqual(v2.volumes);
    expect(out.networks).toEqual({
      default: { name: 'warp-shop_3_default', ipam: {} },
      back: { name: 'warp-shop_3_back' },
      shared: { name: 'my-shared' },
      outside: { external: true, name: 'warp-shop_outside' },
    });
    // v1 prints volumes without names and knows no top-level name.
    const v1 = { version: '3.9', services: {}, volumes: { data: {}, ext: { external: true, name: 'ext' } } };
    const old = releaseModel(v1, {
      baseProject: 'warp-shop',
      releaseProject: 'warp-shop_3',
      composeMajor: 1,
    });
    expect(old.volumes).toEqual({ data: { name: 'warp-shop_data' }, ext: { external: true, name: 'ext' } });
    expect('name' in old).toBe(false);
    // The first release runs under the base name: nothing to change.
    expect(
      releaseModel(v1, { baseProject: 'warp-shop', releaseProject: 'warp-shop', composeMajor: 1 }),
    ).toEqual(v1);
  });

  it('pins every service to the image a release ran, without a build or a pull', () => {
    const model = {
      services: {
        web: { build: { context: '/r' }, image: 'warp-shop-web', pull_policy: 'build', ports: [ours] },
        db: { image: 'postgres:16' },
        extra: { image: 'x' },
      },
    };
    const pinned = pinnedModel(model, { web: 'warp-release/p:r2-web', db: 'warp-release/p:r2-db' }, 2);
    expect(pinned.services).toEqual({
      web: { image: 'warp-release/p:r2-web', pull_policy: 'never', ports: [ours] },
      db: { image: 'warp-release/p:r2-db', pull_policy: 'never' },
      extra: { image: 'x' },
    });
    expect(pinnedModel(model, { web: 'w' }, 1).services).toMatchObject({ web: { image: 'w' } });
    expect((pinnedModel(model, { web: 'w' }, 1).services as Record<string, object>).web).not.toHaveProperty(
      'pull_policy',
    );
  });
});

describe('release strategy', () => {
  it('runs side by side when nothing forbids two copies', () => {
    const model = {
      services: {
        web: { image: 'nginx', ports: [ours, { target: 9000, protocol: 'tcp', mode: 'ingress' }] },
        worker: { image: 'app', volumes: [{ type: 'volume', source: 'uploads', target: '/u' }] },
      },
    };
    expect(composeStrategy(model, proxy)).toEqual({ strategy: 'blue-green', reasons: [] });
    expect(quickStrategy('excalidraw/excalidraw:latest')).toEqual({ strategy: 'blue-green', reasons: [] });
  });

  it('falls back to stop-then-start, with every reason', () => {
    const model = {
      services: {
        web: { image: 'nginx', ports: [ours, { target: 53, protocol: 'udp', published: '53' }] },
        db: {
          image: 'docker.io/library/postgres:16',
          volumes: [{ type: 'volume', source: 'pgdata', target: '/var/lib/postgresql/data' }],
        },
        cache: {
          image: 'bitnami/redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        },
        fixed: { image: 'app', container_name: 'fixed-name' },
        sniffer: { image: 'app', network_mode: 'host' },
        files: { image: 'app', labels: { 'warp.exclusive': 'true' } },
        legacy: { image: 'mariadb:11', volumes: ['dbdata:/var/lib/mysql:rw'] },
      },
    };
    const d = composeStrategy(model, proxy);
    expect(d.strategy).toBe('stop-start');
    expect(d.reasons).toEqual([
      'service web publishes host port 53/udp, which only one copy can bind',
      'service db runs postgres on the volume pgdata, which one server opens at a time',
      'service cache runs redis, whose data only a restart in the same compose project keeps',
      'service fixed sets container_name: fixed-name, and two copies cannot share one name',
      "service sniffer uses the host's network, so two copies would listen on the same ports",
      'service files is labelled warp.exclusive: "true"',
      'service legacy runs mariadb on the volume dbdata, which one server opens at a time',
    ]);
    // The proxy's entry for its container port is the panel's to choose; the same port elsewhere is pinned.
    const other = {
      services: {
        web: { image: 'x', ports: [{ ...ours, published: '8080' }] },
        admin: { image: 'x', ports: [ours] },
      },
    };
    expect(composeStrategy(other, proxy).reasons).toEqual([
      'service admin publishes host port 8100/tcp, which only one copy can bind',
    ]);
    expect(quickStrategy('mongo:7').strategy).toBe('stop-start');
  });

  it('tells database images by their last path component', () => {
    expect(databaseOf('postgres')).toBe('postgres');
    expect(databaseOf('ghcr.io/acme/mysql:8')).toBe('mysql');
    expect(databaseOf('postgres-exporter')).toBeNull();
    expect(databaseOf('acme/redis-commander')).toBeNull();
    expect(databaseOf(undefined)).toBeNull();
    expect(databaseOf('Not An Image')).toBeNull();
  });
});
