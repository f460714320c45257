import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  COMPOSE_FILE_NAMES,
  containerPortOf,
  findProxyService,
  labelsOf,
  patchCompose,
} from './compose-file.js';
import { AppError } from './errors.js';

const compose = (yaml: string): unknown => parse(yaml);

describe('findProxyService', () => {
  it('prefers the service labelled warp.proxy, in map or list form', () => {
    const c = compose(`
services:
  db: { image: postgres, ports: ["5432:5432"] }
  web:
    build: .
    labels: { warp.proxy: "true", warp.port: "3000" }
`);
    expect(findProxyService(c)).toEqual({ service: 'web', containerPort: 3000 });
    const list = compose(`
services:
  api: { image: x, ports: ["8080:80"] }
  web: { image: y, labels: ["warp.proxy=true"], ports: ["127.0.0.1:9000:8080/tcp"] }
`);
    expect(findProxyService(list)).toEqual({ service: 'web', containerPort: 8080 });
    expect(
      findProxyService(compose('services:\n  w:\n    labels: { warp.proxy: true, warp.port: 81 }\n')),
    ).toEqual({
      service: 'w',
      containerPort: 81,
    });
  });

  it('falls back to the only service that publishes a port', () => {
    const c = compose(
      'services:\n  db: { image: postgres }\n  app: { image: x, ports: [{ target: 5000, published: 80 }] }\n',
    );
    expect(findProxyService(c)).toEqual({ service: 'app', containerPort: 5000 });
  });

  it('explains how to mark a service when it cannot decide', () => {
    for (const yaml of [
      'services:\n  a: { image: x }\n',
      'services:\n  a: { image: x, ports: ["80"] }\n  b: { image: y, ports: ["81"] }\n',
    ]) {
      expect(() => findProxyService(compose(yaml))).toThrow(/warp\.proxy: "true"/);
    }
    expect(() => findProxyService(compose('services:\n  a: { labels: [warp.proxy=true] }\n'))).toThrow(
      /warp\.port/,
    );
    expect(() => findProxyService(compose('services:\n  a: { ports: ["$' + '{P}"] }\n'))).toThrow(
      /warp\.port/,
    );
    expect(() =>
      findProxyService(
        compose('services:\n  a: { labels: [warp.proxy=true] }\n  b: { labels: { warp.proxy: "true" } }\n'),
      ),
    ).toThrow(/several/);
    expect(() => findProxyService({})).toThrow(/no services/);
    expect(() =>
      findProxyService(compose('services:\n  a: { labels: { warp.proxy: "true", warp.port: "x" } }\n')),
    ).toThrow(AppError);
  });

  it('only ever throws AppError', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        try {
          findProxyService({ services: { a: v } });
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
        }
      }),
    );
  });
});

describe('ports and labels', () => {
  it('reads container ports from every syntax', () => {
    expect(containerPortOf('80')).toBe(80);
    expect(containerPortOf(80)).toBe(80);
    expect(containerPortOf('8080:80')).toBe(80);
    expect(containerPortOf('127.0.0.1:8080:80/udp')).toBe(80);
    expect(containerPortOf('[::1]:8080:80')).toBe(80);
    expect(containerPortOf('9090-9091:8080-8081')).toBe(8080);
    expect(containerPortOf({ target: '3000', published: '80' })).toBe(3000);
    expect(containerPortOf('$' + '{PORT}')).toBeNull();
    expect(containerPortOf(null)).toBeNull();
  });

  it('reads labels in both forms', () => {
    expect(labelsOf({ labels: ['a=b=c', 'flag'] })).toEqual({ a: 'b=c', flag: '' });
    expect(labelsOf({ labels: { a: 1, b: null } })).toEqual({ a: '1', b: '' });
    expect(labelsOf({})).toEqual({});
    expect(COMPOSE_FILE_NAMES[0]).toBe('compose.yaml');
  });
});

describe('patchCompose', () => {
  const input = compose(`
name: demo
services:
  web:
    build: .
    ports: ["3000", "9229:9229"]
    labels: ["warp.proxy=true", "warp.project=stale"]
  db:
    image: postgres
    ports: ["5432:5432"]
volumes: { data: {} }
`) as Record<string, unknown>;

  it('publishes only the proxy port on the bind address and labels every service', () => {
    const before = structuredClone(input);
    const out = patchCompose(input, {
      service: 'web',
      hostPort: 8100,
      containerPort: 3000,
      bindAddress: '127.0.0.1',
      projectId: 'p1',
    });
    expect(input).toEqual(before);
    expect(out).toEqual({
      name: 'demo',
      services: {
        web: {
          build: '.',
          ports: ['127.0.0.1:8100:3000'],
          labels: ['warp.proxy=true', 'warp.managed=true', 'warp.project=p1'],
        },
        db: {
          image: 'postgres',
          ports: ['5432:5432'],
          labels: { 'warp.managed': 'true', 'warp.project': 'p1' },
        },
      },
      volumes: { data: {} },
    });
  });

  it('brackets IPv6 bind addresses and validates its input', () => {
    const out = patchCompose(input, {
      service: 'db',
      hostPort: 8101,
      containerPort: 5432,
      bindAddress: '::1',
      projectId: 'p',
    });
    expect((out.services as Record<string, { ports: string[] }>).db?.ports).toEqual(['[::1]:8101:5432']);
    const base = {
      service: 'web',
      hostPort: 8100,
      containerPort: 3000,
      bindAddress: '127.0.0.1',
      projectId: 'p',
    };
    expect(() => patchCompose(input, { ...base, service: 'nope' })).toThrow(AppError);
    expect(() => patchCompose(input, { ...base, hostPort: 0 })).toThrow(AppError);
    expect(() => patchCompose(input, { ...base, bindAddress: '1.2.3.4 -p 1:1' })).toThrow(AppError);
    expect(() => patchCompose(input, { ...base, projectId: '' })).toThrow(AppError);
  });
});
