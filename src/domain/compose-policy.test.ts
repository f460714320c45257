import { describe, expect, it } from 'vitest';
import { composePolicyViolations, type ResolvedModel } from './compose-policy.js';

const dir = '/srv/repos/shop';
const check = (
  model: ResolvedModel,
  allowed: Parameters<typeof composePolicyViolations>[1]['allowed'] = [],
) => composePolicyViolations(model, { projectDir: dir, allowed });

describe('compose policy on the resolved model', () => {
  it('lets an ordinary app through', () => {
    expect(
      check({
        services: {
          web: {
            ports: [
              { target: 80, published: '8080' },
              { target: 81, published: '8081', host_ip: '127.0.0.1' },
            ],
            volumes: [
              { type: 'bind', source: `${dir}/html`, target: '/usr/share/nginx/html' },
              { type: 'volume', source: 'data', target: '/data' },
            ],
            cap_add: [],
            security_opt: ['no-new-privileges:true'],
          },
        },
        volumes: { data: { name: 'warp-shop_data' } },
      }),
    ).toEqual([]);
  });

  it.each([
    [{ privileged: true }, 'privileged', 'privileged'],
    [{ cap_add: ['SYS_ADMIN'] }, 'cap_add', 'capabilities'],
    [{ devices: [{ source: '/dev/kvm', target: '/dev/kvm' }] }, 'devices', 'devices'],
    [{ pid: 'host' }, 'pid', 'hostNamespaces'],
    [{ ipc: 'host' }, 'ipc', 'hostNamespaces'],
    [{ uts: 'host' }, 'uts', 'hostNamespaces'],
    [{ userns_mode: 'host' }, 'userns_mode', 'hostNamespaces'],
    [{ network_mode: 'host' }, 'network_mode', 'hostNetwork'],
    [{ security_opt: ['seccomp=unconfined'] }, 'security_opt', 'securityOpt'],
    [{ security_opt: ['apparmor:unconfined'] }, 'security_opt', 'securityOpt'],
    [{ security_opt: ['label=disable'] }, 'security_opt', 'securityOpt'],
    [{ volumes: [{ type: 'bind', source: '/', target: '/host' }] }, 'volumes', 'hostPaths'],
    [
      { volumes: [{ type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock' }] },
      'volumes',
      'hostPaths',
    ],
    [
      { volumes: [{ type: 'bind', source: '/srv/repos/shop-other/x', target: '/x' }] },
      'volumes',
      'hostPaths',
    ],
    [
      {
        ports: [{ target: 80, published: '80', host_ip: '0.0.0.0' }],
        labels: { 'warp.public-ports': 'true' },
      },
      'labels.warp.public-ports',
      'publicPorts',
    ],
    [
      { ports: [{ target: 80, published: '80' }], labels: ['warp.public-ports=true'] },
      'labels.warp.public-ports',
      'publicPorts',
    ],
  ])('refuses %j naming the service and the key', (service, key, exception) => {
    const found = check({ services: { app: service } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ service: 'app', key, exception });
    expect(found[0]?.message).toContain('service "app"');
    expect(found[0]?.message).toContain(key);
    // The matching exception lets it through, and only that one.
    expect(check({ services: { app: service } }, [exception as never])).toEqual([]);
  });

  it('leaves ports without the label to the panel, which binds them to loopback', () => {
    expect(
      check({ services: { a: { ports: [{ target: 80, published: '80', host_ip: '0.0.0.0' }] } } }),
    ).toEqual([]);
  });

  it('names the Docker socket as such', () => {
    const [v] = check({
      services: { a: { volumes: [{ type: 'bind', source: '/run/docker.sock', target: '/s' }] } },
    });
    expect(v?.message).toMatch(/Docker socket/);
  });

  it('refuses an external volume the project did not create, not one it did', () => {
    const model = { volumes: { shared: { external: true, name: 'someone-elses-data' } } };
    expect(check(model)[0]).toMatchObject({ service: null, exception: 'externalVolumes' });
    expect(
      composePolicyViolations(model, { projectDir: dir, allowed: [], ownVolumes: ['someone-elses-data'] }),
    ).toEqual([]);
  });

  it('sees a local volume that binds a host path (driver_opts o=bind, device)', () => {
    const model = { volumes: { up: { driver_opts: { type: 'none', o: 'bind', device: '/srv/data' } } } };
    expect(check(model)[0]).toMatchObject({ key: 'volumes.up.driver_opts', exception: 'hostPaths' });
    const own = { volumes: { up: { driver_opts: { type: 'none', o: 'bind', device: `${dir}/data` } } } };
    expect(check(own)).toEqual([]);
  });

  it('accepts network_mode host only where the caller says it is the documented case', () => {
    const model = { services: { agent: { network_mode: 'host' } } };
    expect(
      composePolicyViolations(model, { projectDir: dir, allowed: [], hostNetworkOk: (s) => s === 'agent' }),
    ).toEqual([]);
  });
});
