import { describe, expect, it } from 'vitest';
import { resticReason } from './restic-cli.js';
import { repositoryLocation, resticRepo, retentionFlags } from './restic-target.js';

describe('restic targets', () => {
  it('gives every project its own repository inside the target', () => {
    expect(repositoryLocation({ type: 'local', path: '/srv/backups' }, 'p1')).toBe('/srv/backups/p1');
    const s3 = {
      type: 's3' as const,
      endpoint: 'https://s3.example.com/',
      bucket: 'b',
      prefix: '/warp/apps/',
      region: 'eu-central-1',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'secret-value-1234',
    };
    expect(repositoryLocation(s3, 'p1')).toBe('s3:https://s3.example.com/b/warp/apps/p1');
    expect(repositoryLocation({ ...s3, prefix: '' }, 'p1')).toBe('s3:https://s3.example.com/b/p1');
    const repo = resticRepo(s3, { projectId: 'p1', password: 'repo-password', workDir: '/tmp/none' });
    expect(repo.env).toEqual({
      RESTIC_PASSWORD: 'repo-password',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret-value-1234',
    });
    expect([repo.location, ...repo.flags].join(' ')).not.toMatch(/repo-password|secret-value/);
    expect(repo.flags).toEqual(['-o', 's3.region=eu-central-1']);
  });

  it('turns retention into forget flags, leaving out zeros', () => {
    expect(retentionFlags({ last: 3, daily: 0, weekly: 2 })).toEqual([
      '--keep-last',
      '3',
      '--keep-weekly',
      '2',
    ]);
  });

  it('quotes restic’s reason, not its Go stack trace', () => {
    const stderr = [
      'Fatal: unable to create lock in backend: write /x/locks/abc: no space left on device',
      'github.com/restic/restic/internal/backend/local.(*Local).Save',
      '\tgithub.com/restic/restic/internal/backend/local/local.go:120',
      'main.main',
      '\tgithub.com/restic/restic/cmd/restic/main.go:98',
    ].join('\n');
    expect(resticReason(stderr)).toBe(
      'Fatal: unable to create lock in backend: write /x/locks/abc: no space left on device',
    );
  });
});
