import { describe, expect, it } from 'vitest';
import { applyPanelChanges, type PanelChanges } from './panel-changes.js';

const base: PanelChanges = {
  service: 'web',
  containerPort: 80,
  hostPort: 8100,
  bindAddress: '127.0.0.1',
  projectId: 'p1',
  projectName: 'warp-shop',
  composeMajor: 2,
};

const resolved = () => ({
  name: 'shop',
  services: {
    web: {
      image: 'x',
      environment: { UMASK: '18' },
      labels: { a: '1' },
      ports: [
        { mode: 'ingress', target: 80, published: '9000', protocol: 'tcp' },
        { mode: 'ingress', host_ip: '0.0.0.0', target: 80, published: '8080', protocol: 'tcp' },
        { mode: 'ingress', target: 53, published: '53', protocol: 'udp' },
      ],
    },
    db: { image: 'pg', ports: [{ mode: 'ingress', target: 5432, protocol: 'tcp' }] },
    open: {
      image: 'o',
      labels: { 'warp.public-ports': 'true' },
      ports: [{ mode: 'ingress', target: 1, protocol: 'tcp' }],
    },
    worker: { image: 'w' },
  },
  volumes: { data: { name: 'warp-shop_data' } },
});

describe('applyPanelChanges', () => {
  it('replaces every proxy entry of its container port with one loopback entry and binds the rest', () => {
    const input = resolved();
    const before = structuredClone(input);
    const { model, warnings } = applyPanelChanges(input, base);
    expect(input).toEqual(before); // the input is not modified
    const s = model.services as Record<string, Record<string, unknown>>;
    expect(s.web!.ports).toEqual([
      { mode: 'ingress', host_ip: '127.0.0.1', target: 80, published: '8100', protocol: 'tcp' },
      { mode: 'ingress', host_ip: '127.0.0.1', target: 53, published: '53', protocol: 'udp' },
    ]);
    expect(s.db!.ports).toEqual([{ mode: 'ingress', host_ip: '127.0.0.1', target: 5432, protocol: 'tcp' }]);
    expect(s.open!.ports).toEqual(before.services.open.ports);
    expect(s.worker).toEqual({ image: 'w', labels: { 'warp.managed': 'true', 'warp.project': 'p1' } });
    expect(s.web!.labels).toEqual({ a: '1', 'warp.managed': 'true', 'warp.project': 'p1' });
    expect(s.web!.environment).toEqual({ UMASK: '18' });
    expect(model.name).toBe('warp-shop');
    expect(model.volumes).toEqual(before.volumes);
    expect(warnings.join('\n')).toMatch(/web: 9000:80\/tcp is replaced/);
    expect(warnings.join('\n')).toMatch(/db: 5432\/tcp binds 127.0.0.1 instead of all interfaces/);
  });

  it('adds the proxy entry when the port comes from warp.port, and writes v1 short strings without name', () => {
    const v1 = {
      version: '3.9',
      services: {
        web: {
          image: 'x',
          labels: ['warp.proxy=true', 'warp.project=old'],
          ports: [{ published: 53, target: 53, protocol: 'udp' }],
        },
        db: { image: 'pg', ports: ['5432', '0.0.0.0:6000-6001:6000-6001'] },
      },
    };
    const { model } = applyPanelChanges(v1, { ...base, containerPort: 3000, composeMajor: 1 });
    const s = model.services as Record<string, Record<string, unknown>>;
    expect(s.web!.ports).toEqual(['127.0.0.1:8100:3000/tcp', '127.0.0.1:53:53/udp']);
    expect(s.web!.labels).toEqual(['warp.proxy=true', 'warp.managed=true', 'warp.project=p1']);
    expect(s.db!.ports).toEqual(['127.0.0.1::5432', '127.0.0.1:6000-6001:6000-6001']);
    expect('name' in model).toBe(false);
    expect(model.version).toBe('3.9');
  });

  it('brackets an IPv6 bind address and refuses a bad one or an unknown service', () => {
    const { model } = applyPanelChanges(resolved(), { ...base, bindAddress: '::1', composeMajor: 1 });
    expect((model.services as Record<string, { ports: unknown[] }>).web!.ports[0]).toBe('[::1]:8100:80/tcp');
    expect(() => applyPanelChanges(resolved(), { ...base, bindAddress: '1.2.3.4 -p 1:1' })).toThrow(
      /IP address/,
    );
    expect(() => applyPanelChanges(resolved(), { ...base, service: 'nope' })).toThrow(/service nope/);
  });
});
