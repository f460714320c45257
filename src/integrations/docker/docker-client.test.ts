import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionOptions } from './docker-client.js';

describe('DOCKER_HOST forms', () => {
  it('reaches a local socket, a plain tcp engine and a remote manager over ssh or TLS', () => {
    expect(connectionOptions('unix:///var/run/docker.sock')).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(connectionOptions('tcp://10.0.0.5:2375')).toEqual({
      host: '10.0.0.5',
      port: 2375,
      protocol: 'http',
    });
    expect(connectionOptions('ssh://deploy@manager.lan:2222', { sshAuthSock: '/run/agent.sock' })).toEqual({
      protocol: 'ssh',
      host: 'manager.lan',
      port: 2222,
      username: 'deploy',
      sshOptions: { agent: '/run/agent.sock' },
    });
    const certs = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-certs-'));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(certs, f), `${f} body`);
    const tls = connectionOptions('tcp://manager.lan', { tls: { verify: true, certPath: certs } });
    expect(tls).toMatchObject({ host: 'manager.lan', port: 2376, protocol: 'https' });
    expect(String(tls.ca)).toBe('ca.pem body');
    expect(String(tls.key)).toBe('key.pem body');
    // Port 2376 is TLS by convention, as the Docker CLI and dockerode take it.
    expect(connectionOptions('tcp://manager.lan:2376')).toMatchObject({ protocol: 'https' });
  });
});
