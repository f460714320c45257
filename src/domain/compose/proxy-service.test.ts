import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { findProxyService } from './proxy-service.js';

const port = (target: number, protocol = 'tcp', published?: string) => ({
  mode: 'ingress',
  target,
  protocol,
  ...(published ? { published } : {}),
});
const model = (services: Record<string, unknown>) => ({ name: 'p', services });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION_FAILED');
    return (error as AppError).message;
  }
  throw new Error('expected a refusal');
}

describe('findProxyService on a resolved model', () => {
  it('takes the labelled service, its warp.port, else its first TCP port', () => {
    const m = model({
      db: { image: 'pg', ports: [port(5432)] },
      web: { build: {}, labels: { 'warp.proxy': 'true', 'warp.port': '3000' } },
    });
    expect(findProxyService(m)).toEqual({ service: 'web', containerPort: 3000 });
    const udpFirst = model({
      dns: { labels: { 'warp.proxy': 'TRUE' }, ports: [port(53, 'udp'), port(8053)] },
    });
    expect(findProxyService(udpFirst)).toEqual({ service: 'dns', containerPort: 8053 });
  });

  it('falls back to the only service that publishes a port (v1 short strings too)', () => {
    expect(findProxyService(model({ a: {}, b: { ports: [port(8080, 'tcp', '80')] } }))).toEqual({
      service: 'b',
      containerPort: 8080,
    });
    expect(findProxyService(model({ b: { ports: ['127.0.0.1:9000:8080/tcp'] } }))).toEqual({
      service: 'b',
      containerPort: 8080,
    });
  });

  it('refuses with a message that names the service and what to change', () => {
    expect(
      refusal(() => findProxyService(model({ a: { ports: [port(1)] }, b: { ports: [port(2)] } }))),
    ).toMatch(/several services publish ports \(a, b\).*warp\.proxy/);
    expect(
      refusal(() =>
        findProxyService(
          model({ a: { labels: { 'warp.proxy': 'true' } }, b: { labels: ['warp.proxy=true'] } }),
        ),
      ),
    ).toMatch(/several services are labelled warp.proxy \(a, b\)/);
    expect(refusal(() => findProxyService(model({ a: { image: 'x' } })))).toMatch(
      /no service publishes a port/,
    );
    expect(refusal(() => findProxyService(model({ dns: { ports: [port(53, 'udp')] } })))).toMatch(
      /service dns publishes no TCP port \(53\/udp\)/,
    );
    expect(
      refusal(() =>
        findProxyService(model({ web: { network_mode: 'host', labels: { 'warp.proxy': 'true' } } })),
      ),
    ).toMatch(/service web uses network_mode: host.*remove network_mode from web/);
    expect(
      refusal(() => findProxyService(model({ web: { network_mode: 'service:vpn', ports: [port(80)] } }))),
    ).toMatch(/service web uses network_mode: service:vpn/);
    expect(
      refusal(() => findProxyService(model({ web: { labels: { 'warp.proxy': 'true', 'warp.port': 'x' } } }))),
    ).toMatch(/port/);
  });

  it('names a proxy that only sits in an inactive profile', () => {
    const active = model({ db: { image: 'pg' } });
    const all = model({ db: { image: 'pg' }, web: { profiles: ['web'], labels: { 'warp.proxy': 'true' } } });
    expect(refusal(() => findProxyService(active, all))).toMatch(
      /service web is only in the profile web.*COMPOSE_PROFILES=web/,
    );
    const onlyPublisher = model({ db: {}, admin: { profiles: ['tools'], ports: [port(80)] } });
    expect(refusal(() => findProxyService(active, onlyPublisher))).toMatch(
      /service admin is only in the profile tools/,
    );
    // An active labelled proxy wins over whatever the inactive profiles hold.
    expect(
      findProxyService(model({ w: { labels: { 'warp.proxy': 'true' }, ports: [port(80)] } }), all),
    ).toEqual({
      service: 'w',
      containerPort: 80,
    });
  });
});
