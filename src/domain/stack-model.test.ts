import { describe, expect, it } from 'vitest';
import { composeSwarmProblems, pushable, type StackOptions, toStackModel } from './stack-model.js';

/** What `docker compose -p warp-shop config --format json` (v2.26) printed for a two-service project. */
const resolved = {
  name: 'warp-shop',
  networks: { default: { name: 'warp-shop_default', ipam: {} } },
  services: {
    db: {
      command: ['sleep', '3600'],
      entrypoint: null,
      image: 'warp-test/busybox:latest',
      networks: { default: null },
      volumes: [{ type: 'volume', source: 'data', target: '/data', volume: {} }],
    },
    web: {
      command: ['sh', '-c', 'httpd -f -p 80 -h /'],
      container_name: 'shop-web',
      depends_on: { db: { condition: 'service_started', required: true } },
      entrypoint: null,
      environment: { A: 'b', UNSET: null },
      image: 'warp-test/busybox:latest',
      labels: { 'warp.proxy': 'true' },
      networks: { default: null },
      ports: [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }],
      restart: 'unless-stopped',
    },
  },
  volumes: { data: { name: 'warp-shop_data' } },
};

// biome-ignore lint/suspicious/noExplicitAny: test fixtures are edited freely
type Model = Record<string, any>;

const opts: StackOptions = {
  stack: 'warp-shop',
  projectId: '0190f5f0-0000-7000-8000-000000000001',
  proxyService: 'web',
  network: 'warp-public',
  endpointMode: 'dnsrr',
  replicas: 2,
  update: { delay: '2s', monitor: '3s' },
};

describe('compose model → stack file', () => {
  it('keeps what Swarm runs, labels every service and puts the proxy on the shared network', () => {
    const plan = toStackModel(resolved, opts);
    expect(plan.proxyHost).toBe('warp-shop_web');
    expect(plan.builds).toEqual([]);
    const { services, networks, volumes } = plan.model as Record<
      string,
      Record<string, Record<string, unknown>>
    > & {
      services: Record<string, Record<string, unknown>>;
    };
    expect(plan.model.version).toBe('3.8');
    expect(plan.model).not.toHaveProperty('name');
    expect(networks).toEqual({
      default: { driver: 'overlay' },
      'warp-public': { external: true, name: 'warp-public' },
    });
    expect(volumes).toEqual({ data: {} });
    const web = services.web!;
    expect(web).toMatchObject({
      image: 'warp-test/busybox:latest',
      environment: { A: 'b' },
      labels: { 'warp.proxy': 'true', 'warp.managed': 'true', 'warp.project': opts.projectId },
      networks: { default: {}, 'warp-public': {} },
    });
    for (const gone of ['ports', 'container_name', 'depends_on', 'restart', 'entrypoint'])
      expect(web).not.toHaveProperty(gone);
    expect(web.deploy).toEqual({
      replicas: 2,
      endpoint_mode: 'dnsrr',
      labels: { 'warp.managed': 'true', 'warp.project': opts.projectId },
      update_config: {
        parallelism: 1,
        delay: '2s',
        failure_action: 'rollback',
        monitor: '3s',
        order: 'start-first',
      },
      rollback_config: { parallelism: 1, delay: '2s', monitor: '3s', order: 'start-first' },
      restart_policy: { condition: 'any', delay: '5s' },
    });
    expect(services.db!.deploy).toMatchObject({ replicas: 1 });
    expect(services.db!.networks).toEqual({ default: {} });
    expect(plan.warnings.join('\n')).toMatch(/web: container_name is ignored on Swarm/);
    expect(plan.warnings.join('\n')).toMatch(/web: depends_on is ignored/);
    expect(plan.warnings.join('\n')).toMatch(/web: its ports are not published on Swarm/);
    expect(plan.warnings.join('\n')).toMatch(/named volumes are local to each node/);
  });

  it("keeps the user's own deploy settings and names it chose", () => {
    const model = structuredClone(resolved) as Model;
    model.services.db.deploy = {
      replicas: 3,
      update_config: { order: 'stop-first', delay: '10s' },
      resources: { limits: { cpus: 0.5, memory: 268435456 } },
      placement: { constraints: ['node.labels.disk==ssd'] },
      restart_policy: { condition: 'on-failure', max_attempts: 3 },
    };
    model.volumes.data.name = 'shared-data';
    const plan = toStackModel(model, opts);
    const db = (plan.model.services as Record<string, Record<string, unknown>>).db!;
    expect(db.deploy).toMatchObject({
      replicas: 3,
      update_config: { order: 'stop-first', delay: '10s', parallelism: 1, failure_action: 'rollback' },
      resources: { limits: { cpus: '0.5', memory: '268435456' } },
      placement: { constraints: ['node.labels.disk==ssd'] },
      restart_policy: { condition: 'on-failure', max_attempts: 3 },
    });
    expect((plan.model.volumes as Record<string, unknown>).data).toEqual({ name: 'shared-data' });
  });

  it('refuses build: without a registry, and lists every other thing Swarm cannot do at once', () => {
    const model = structuredClone(resolved) as Model;
    model.services.web.build = { context: '/repo' };
    model.services.web.image = 'shop-web';
    model.services.db.privileged = true;
    model.services.db.network_mode = 'host';
    let details: { path: string; message: string }[] = [];
    try {
      toStackModel(model, opts);
    } catch (err) {
      details = (err as { details: typeof details }).details;
    }
    expect(details.map((d) => d.path).sort()).toEqual([
      'services.db.network_mode',
      'services.db.privileged',
      'services.web.build',
    ]);
    expect(details.find((d) => d.path === 'services.web.build')?.message).toMatch(
      /Swarm cannot build images/,
    );
  });

  it('refuses the same as written, before compose resolved anything', () => {
    const written = {
      services: {
        web: { build: '.', labels: ['warp.proxy=true'] },
        api: { build: '.', image: '${REGISTRY}/api' },
        db: { image: 'postgres', devices: ['/dev/sda:/dev/sda'] },
        ok: { build: '.', image: 'ghcr.io/acme/ok:1' },
      },
    };
    expect(composeSwarmProblems(written).map((p) => p.path)).toEqual([
      'services.web.build',
      'services.db.devices',
    ]);
    expect(composeSwarmProblems({ services: { web: { image: 'nginx' } } })).toEqual([]);
  });

  it('plans a build and push when the image names a registry', () => {
    const model = structuredClone(resolved) as Model;
    model.services.web.build = { context: '/repo' };
    model.services.web.image = '127.0.0.1:5000/shop/web:1';
    const plan = toStackModel(model, opts);
    expect(plan.builds).toEqual([{ service: 'web', image: '127.0.0.1:5000/shop/web:1' }]);
    expect((plan.model.services as Record<string, object>).web).not.toHaveProperty('build');
  });

  it('knows which images can be pushed', () => {
    expect(pushable('registry.lan:5000/app:1')).toBe(true);
    expect(pushable('acme/app')).toBe(true);
    expect(pushable('web')).toBe(false);
    expect(pushable('library/web')).toBe(false);
    expect(pushable('NOT VALID')).toBe(false);
  });

  it('refuses a stack whose service names Swarm would not accept', () => {
    expect(() => toStackModel(resolved, { ...opts, stack: `warp-${'x'.repeat(60)}` })).toThrow(
      /cannot run on Swarm/,
    );
  });
});
