import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'warp-config-'));

describe('loadConfig', () => {
  it('applies the documented defaults, with paths made absolute', () => {
    const cwd = tmp();
    const config = loadConfig({}, cwd);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dataDir: path.join(cwd, 'data'),
      databaseUrl: `sqlite:${path.join(cwd, 'data', 'warp.db')}`,
      reposRoot: path.join(cwd, 'data', 'repos'),
      portRange: { start: 8100, end: 8999 },
      tunnelRestart: { mode: 'systemd', target: 'cloudflared' },
      dockerHost: 'unix:///var/run/docker.sock',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.github)).toBe(true);
  });

  it('derives the public URL from the listen address unless it is set', () => {
    expect(loadConfig({ WARP_PORT: '9000' }, tmp()).publicUrl).toBe('http://127.0.0.1:9000');
    expect(loadConfig({ WARP_HOST: '0.0.0.0' }, tmp()).publicUrl).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ WARP_PUBLIC_URL: 'https://panel.example.com/' }, tmp()).publicUrl).toBe(
      'https://panel.example.com',
    );
  });

  it('reads tunnel replicas from WARP_TUNNEL_RESTART, and one target in the original form', () => {
    const restart = (v: string) => loadConfig({ WARP_TUNNEL_RESTART: v }, tmp()).tunnelRestart;
    expect(restart('docker:cloudflared')).toEqual({ mode: 'docker', target: 'cloudflared' });
    expect(restart('systemd:cloudflared@1=127.0.0.1:20241,cloudflared@2=127.0.0.1:20242')).toEqual({
      mode: 'systemd',
      target: 'cloudflared@1',
      replicas: [
        { target: 'cloudflared@1', metrics: '127.0.0.1:20241' },
        { target: 'cloudflared@2', metrics: '127.0.0.1:20242' },
      ],
    });
    expect(() => restart('systemd:a=not-an-address')).toThrow(/WARP_TUNNEL_RESTART/);
  });

  it('reads .env, with the real environment winning', () => {
    const cwd = tmp();
    fs.writeFileSync(
      path.join(cwd, '.env'),
      'WARP_PORT=9090\nWARP_BASE_DOMAIN=example.com\nWARP_ALLOWED_USERS=a, b\n',
    );
    const config = loadConfig({ WARP_PORT: '9191' }, cwd);
    expect(config.port).toBe(9191);
    expect(config.baseDomain).toBe('example.com');
    expect(config.access.allowedUsers).toEqual(['a', 'b']);
  });

  it('takes the remote engine forms: ssh:// and tcp:// with TLS, and cloudflared as a Swarm service', () => {
    const cwd = tmp();
    const config = loadConfig(
      {
        DOCKER_HOST: 'ssh://deploy@manager.lan',
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: 'certs',
        WARP_TUNNEL_RESTART: 'swarm:warp-cloudflared',
      },
      cwd,
    );
    expect(config.dockerHost).toBe('ssh://deploy@manager.lan');
    expect(config.dockerTls).toEqual({ verify: true, certPath: path.join(cwd, 'certs') });
    expect(config.tunnelRestart).toEqual({ mode: 'swarm', target: 'warp-cloudflared' });
  });

  it.each([
    [
      'WARP_PORT',
      'eighty',
      "WARP_PORT must be a number from 1 to 65535 (0 picks any free port) (got 'eighty')",
    ],
    ['WARP_PORT_RANGE', '80-90', 'range inside 1024-65535'],
    ['WARP_TUNNEL_RESTART', 'reboot', 'systemd:<unit>, docker:<container>, swarm:<service> or none'],
    ['DOCKER_TLS_VERIFY', 'yes', 'DOCKER_TLS_VERIFY'],
    ['WARP_DATABASE_URL', 'mysql://x', 'postgres://'],
    ['WARP_SECRET_KEY', 'short', '64 hex characters'],
    ['WARP_PUBLIC_URL', 'ftp://x', 'http(s) URL'],
    ['DOCKER_HOST', '/var/run/docker.sock', 'unix:///path'],
    [
      'WARP_LOG_LEVEL',
      'loud',
      "WARP_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got 'loud')",
    ],
    ['WARP_JOB_CONCURRENCY', '0', "WARP_JOB_CONCURRENCY must be a number from 1 to 64 (got '0')"],
  ])('stops on a bad %s, naming it and the expected form', (name, value, expected) => {
    const load = () => loadConfig({ [name]: value }, tmp());
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(name);
    expect(load).toThrow(expected);
  });
});
