/**
 * App data backups on the real engine, real restic and a real S3-compatible server (s3rver over
 * TLS on loopback): a volume with known files and a PostgreSQL service with known rows are backed
 * up, changed, restored and compared byte for byte and row for row; retention, a wrong S3 key, a
 * full target, the restore check and secrets in logs and the process list.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/features/jobs/index.js';
import { newId } from '../../src/lib/ids.js';
import { createSecretBox, loadSecretKey } from '../../src/lib/secret-box.js';
import { ensureHelperImage, ensurePostgresImage, type S3Peer, startS3 } from '../support/backup-peers.js';
import { cleanupDocker, newRunId, requireDocker, skipWithoutDocker, TEST_LABEL } from '../support/docker.js';
import { systemContext, waitFor } from '../support/job-helpers.js';
import { capturedLogLines } from '../support/log-capture.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const skip = await skipWithoutDocker();
const PG_PASSWORD = `pg-${newId()}`;
const S3_SECRET = `s3secret-${newId()}`;

/** Whether this machine lets the test mount a tmpfs (root, mount available). */
function canMount(): boolean {
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-mnt-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  fs.rmSync(probe, { recursive: true, force: true });
  return ok;
}

describe.skipIf(skip)('app data backups (engine, restic, s3rver)', () => {
  let t: TestApp;
  let docker: Docker;
  let auth: Record<string, string>;
  let helper: string;
  let s3: S3Peer;
  const run = newRunId();
  const projectId = newId();
  const volume = `${run}-data`;
  const pgVolume = `${run}-pg`;
  const app = `${run}-app`;
  const db = `${run}-db`;
  const localRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-app-backups-'));
  const extraVolumes: string[] = [];

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    t.app.http.inject({ method, url, headers: auth, ...(payload !== undefined ? { payload } : {}) });

  /** Run a throwaway container (the helper image) and return its stdout. */
  async function inHelper(cmd: string[], binds: string[]): Promise<string> {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => {
      text += c.toString('utf8');
    });
    const [res, container] = (await docker.run(helper, cmd, out, {
      Labels: { [TEST_LABEL]: run },
      HostConfig: { Binds: binds },
    })) as [{ StatusCode: number }, Docker.Container];
    await container.remove({ force: true });
    if (res.StatusCode !== 0) throw new Error(`helper ${cmd.join(' ')} exited ${res.StatusCode}: ${text}`);
    return text;
  }

  /** Every entry of a volume: path, mode, owner, size, type, link target and content hash. */
  const manifest = (vol: string) =>
    inHelper(
      [
        'sh',
        '-c',
        'cd /v && find . | sort | while read -r f; do stat -c "%n %a %u:%g %s %F" "$f"; if [ -L "$f" ]; then readlink "$f"; elif [ -f "$f" ]; then sha256sum "$f"; fi; done',
      ],
      [`${vol}:/v:ro`],
    );

  // Over TCP: the image's entrypoint first runs a socket-only server for its init step and stops it
  // again, so a socket that answers does not yet mean the real server is up.
  const psql = async (sql: string, database = 'appdb') => {
    const exec = await docker.getContainer(db).exec({
      Cmd: [
        'psql',
        '-h',
        '127.0.0.1',
        '-U',
        'app',
        '-d',
        database,
        '-At',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        sql,
      ],
      Env: [`PGPASSWORD=${PG_PASSWORD}`],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({});
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    let errText = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    err.on('data', (c: Buffer) => (errText += c.toString()));
    docker.modem.demuxStream(stream, out, err);
    await new Promise((r) => stream.on('end', r));
    const info = await exec.inspect();
    if (info.ExitCode !== 0) throw new Error(`psql failed: ${errText}`);
    return text.trim();
  };

  async function waitJob(id: string, timeoutMs = 240_000) {
    return waitFor(
      `job ${id}`,
      async () => {
        const job = await t.app.jobs.get(id);
        return ['succeeded', 'failed', 'canceled', 'interrupted'].includes(job.status) ? job : undefined;
      },
      timeoutMs,
    );
  }

  const jobLog = async (id: string) =>
    (await t.app.jobs.logs(id, 0, 100_000)).lines.map((l) => l.text).join('\n');

  async function backupNow() {
    const res = await api('POST', `/api/v1/projects/${projectId}/backups`);
    expect(res.statusCode).toBe(202);
    return waitJob(res.json().job.id);
  }

  const localPolicy = (dir: string, extra: Record<string, unknown> = {}) => ({
    schedule: '30 2 * * *',
    timezone: 'Europe/Berlin',
    volumes: [volume],
    databases: [db],
    target: { type: 'local', path: dir },
    retention: { last: 5, daily: 0, weekly: 0 },
    ...extra,
  });

  beforeAll(async () => {
    docker = await requireDocker();
    helper = await ensureHelperImage(docker);
    const pg = await ensurePostgresImage(docker);
    if (pg.builtInMs !== null)
      process.stderr.write(`built ${pg.image} from host packages in ${pg.builtInMs} ms\n`);
    s3 = await startS3(['warp-backups']);
    t = await createTestApp({ env: { WARP_BACKUP_HELPER_IMAGE: helper } });
    auth = await t.adminBearer();
    t.app.runner.start();
    const now = new Date().toISOString();
    await t.app.repos.projects.insert({
      id: projectId,
      name: `${run}-project`,
      kind: 'quick',
      subdomain: run,
      status: 'running',
      container_names: JSON.stringify([app, db]),
      spec: '{}',
      created_at: now,
      updated_at: now,
    });
    const labels = { [TEST_LABEL]: run, 'warp.project': projectId, 'warp.managed': 'true' };
    for (const v of [volume, pgVolume]) await docker.createVolume({ Name: v, Labels: labels });
    // Known files: text, binary, nested, an odd mode and owner, a symlink, an empty file, an SQLite-named file.
    await inHelper(
      [
        'sh',
        '-c',
        [
          'echo "hello backups" > /v/hello.txt',
          'mkdir -p /v/nested/deeper',
          'head -c 200000 /dev/urandom > /v/nested/deeper/blob.bin',
          ': > /v/empty',
          'echo secret-config > /v/nested/conf && chmod 640 /v/nested/conf && chown 1234:4321 /v/nested/conf',
          'ln -s nested/conf /v/link',
          'head -c 8192 /dev/urandom > /v/app.sqlite',
        ].join(' && '),
      ],
      [`${volume}:/v`],
    );
    await docker
      .createContainer({
        Image: helper,
        name: app,
        Cmd: ['sleep', '3600'],
        Labels: labels,
        HostConfig: { Init: true, Binds: [`${volume}:/data`] },
      })
      .then((c) => c.start());
    await docker
      .createContainer({
        Image: pg.image,
        name: db,
        Env: ['POSTGRES_USER=app', `POSTGRES_PASSWORD=${PG_PASSWORD}`, 'POSTGRES_DB=appdb'],
        Labels: labels,
        HostConfig: { Binds: [`${pgVolume}:/var/lib/postgresql/data`] },
      })
      .then((c) => c.start());
    await waitFor(
      'postgres',
      () =>
        psql('select 1').then(
          () => true,
          () => false,
        ),
      60_000,
    );
    await psql(
      "create table items (id int primary key, name text, blob bytea); insert into items select g, 'item ' || g, decode(md5(g::text), 'hex') from generate_series(1, 500) g",
    );
  });

  afterAll(async () => {
    await t?.close();
    await s3?.close();
    if (docker) await cleanupDocker(docker, run, [volume, pgVolume, ...extraVolumes]);
    fs.rmSync(localRoot, { recursive: true, force: true });
  });

  it('refuses a policy naming a volume or service the project does not have, and stores nothing', async () => {
    const res = await api('PUT', `/api/v1/projects/${projectId}/backup-policy`, {
      ...localPolicy(localRoot),
      volumes: [volume, 'someone-elses-volume'],
      databases: [app],
    });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(['volumes.1', 'databases.0']);
    expect((await api('GET', `/api/v1/projects/${projectId}/backup-policy`)).json().configured).toBe(false);
    expect(await t.app.repos.backups.findPolicy(projectId)).toBeUndefined();
    const noCron = await api('PUT', `/api/v1/projects/${projectId}/backup-policy`, {
      ...localPolicy(localRoot),
      schedule: '61 * * * *',
    });
    expect(noCron.statusCode).toBe(400);
  });

  it('backs up a volume and a database dump, restores both into the project, byte for byte and row for row', async () => {
    const put = await api('PUT', `/api/v1/projects/${projectId}/backup-policy`, localPolicy(localRoot));
    expect(put.statusCode).toBe(200);
    expect(put.json().state.nextRunAt).toMatch(/T0[01]:30:00/); // 02:30 Berlin is 00:30 or 01:30 UTC
    const before = await manifest(volume);
    const rows = await psql("select id, name, encode(blob, 'hex') from items order by id");

    const job = await backupNow();
    expect(job.status, await jobLog(job.id)).toBe('succeeded');
    const log = await jobLog(job.id);
    expect(log).toContain('holds SQLite databases (app.sqlite): pausing');
    const list = (await api('GET', `/api/v1/projects/${projectId}/backups`)).json().items;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ status: 'succeeded', volumes: [volume], databases: [db] });
    expect(list[0].size).toBeGreaterThan(200_000);

    // Change and delete data.
    await inHelper(
      ['sh', '-c', 'rm -r /v/nested && echo changed > /v/hello.txt && echo new > /v/added'],
      [`${volume}:/v`],
    );
    await psql("delete from items where id > 100; update items set name = 'changed' where id = 1");
    expect(await manifest(volume)).not.toBe(before);

    const restore = await api('POST', `/api/v1/projects/${projectId}/backups/${list[0].id}/restore`, {
      into: 'project',
    });
    expect(restore.statusCode).toBe(202);
    const restored = await waitJob(restore.json().job.id);
    const restoreLog = await jobLog(restored.id);
    expect(restored.status, restoreLog).toBe('succeeded');
    expect(restoreLog).toContain(`Stop the project (${app}, ${db})`);
    expect(restoreLog).toContain('SHA-256 matches the backup');
    expect(await manifest(volume)).toBe(before);
    await waitFor(
      'postgres after restart',
      () =>
        psql('select 1').then(
          () => true,
          () => false,
        ),
      60_000,
    );
    expect(await psql("select id, name, encode(blob, 'hex') from items order by id")).toBe(rows);
    const state = await docker.getContainer(app).inspect();
    expect(state.State.Running).toBe(true);
  });

  it('restores into new volumes and a new database for inspection, leaving the project alone', async () => {
    const [latest] = (await api('GET', `/api/v1/projects/${projectId}/backups`)).json().items;
    const expected = await manifest(volume);
    await inHelper(['sh', '-c', 'echo later > /v/later'], [`${volume}:/v`]);
    const res = await api('POST', `/api/v1/projects/${projectId}/backups/${latest.id}/restore`, {
      into: 'new',
    });
    const job = await waitJob(res.json().job.id);
    expect(job.status, await jobLog(job.id)).toBe('succeeded');
    const result = job.result as { volumes: string[]; databases: string[] };
    extraVolumes.push(...result.volumes);
    expect(result.volumes).toHaveLength(1);
    expect(await manifest(result.volumes[0] as string)).toBe(expected);
    expect(await manifest(volume)).toContain('./later');
    const newDb = (result.databases[0] as string).split('/')[1] as string;
    expect(newDb).toMatch(/^appdb_restored_/);
    expect(await psql('select count(*) from items', newDb)).toBe('500');
  });

  it('backs up before a deploy when the policy asks for it (the deploy flows call this hook)', async () => {
    const type = `test_deploy_${run}`;
    t.app.jobs.register(
      defineJob({
        type,
        input: z.object({}).strict(),
        handler: (ctx) => t.app.services.backups.beforeDeploy(ctx, projectId),
      }),
    );
    const deploy = async () => waitJob((await t.app.jobs.enqueue(systemContext, type, {}, { projectId })).id);
    const count = async () => (await api('GET', `/api/v1/projects/${projectId}/backups`)).json().items.length;
    const before = await count();
    expect((await deploy()).status).toBe('succeeded');
    expect(await count()).toBe(before);
    await api(
      'PUT',
      `/api/v1/projects/${projectId}/backup-policy`,
      localPolicy(localRoot, { beforeDeploy: true }),
    );
    const job = await deploy();
    expect(job.status, await jobLog(job.id)).toBe('succeeded');
    expect(await jobLog(job.id)).toContain('Back up app data before deploying');
    const [latest] = (await api('GET', `/api/v1/projects/${projectId}/backups`)).json().items;
    expect(latest).toMatchObject({ reason: 'deploy', status: 'succeeded', jobId: job.id });
  });

  it('retention keeps the last N backups and the list follows the repository', async () => {
    const put = await api(
      'PUT',
      `/api/v1/projects/${projectId}/backup-policy`,
      localPolicy(localRoot, { retention: { last: 2, daily: 0, weekly: 0 } }),
    );
    expect(put.statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await backupNow()).status).toBe('succeeded');
    const items = (await api('GET', `/api/v1/projects/${projectId}/backups`)).json().items;
    expect(items).toHaveLength(2);
    const password = createSecretBox(loadSecretKey(null, t.dataDir)).decrypt(
      (await t.app.repos.backups.findPolicy(projectId))!.repo_password,
    );
    const snaps = spawnSync('restic', ['-r', path.join(localRoot, projectId), 'snapshots', '--json'], {
      env: { ...process.env, RESTIC_PASSWORD: password, RESTIC_CACHE_DIR: path.join(localRoot, '.cache') },
      encoding: 'utf8',
    });
    const parsed = JSON.parse(snaps.stdout) as { tags: string[] }[];
    // Two runs left, each with one snapshot per item (volume and dump).
    expect(parsed).toHaveLength(4);
    const runs = new Set(parsed.map((s) => s.tags.find((x) => x.startsWith('warp-run='))?.slice(9)));
    expect([...runs].sort()).toEqual(items.map((i: { id: string }) => i.id).sort());
  });

  it('the restore check restores the latest backup to a scratch volume; a damaged repository fails it loudly', async () => {
    const ok = await api('POST', `/api/v1/projects/${projectId}/backups/verify`);
    const job = await waitJob(ok.json().job.id);
    expect(job.status, await jobLog(job.id)).toBe('succeeded');
    expect(await jobLog(job.id)).toMatch(/volume .* bytes extracted \(\d+ files\), SHA-256 matches/);
    expect(
      (await api('GET', `/api/v1/projects/${projectId}/backup-policy`)).json().state.lastVerifyStatus,
    ).toBe('succeeded');
    const scratch = await docker.listVolumes({ filters: { label: ['warp.verify-scratch=true'] } });
    expect((scratch.Volumes ?? []).filter((v) => v.Labels?.['warp.project'] === projectId)).toEqual([]);

    // Damage a pack file of a copy of the repository and point the policy at the copy.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-damaged-'));
    fs.cpSync(path.join(localRoot, projectId), path.join(copy, projectId), { recursive: true });
    const dataDir = path.join(copy, projectId, 'data');
    for (const sub of fs.readdirSync(dataDir)) {
      for (const f of fs.readdirSync(path.join(dataDir, sub))) {
        const file = path.join(dataDir, sub, f);
        const buf = fs.readFileSync(file);
        buf[Math.floor(buf.length / 2)] = (buf[Math.floor(buf.length / 2)] as number) ^ 0xff;
        fs.writeFileSync(file, buf);
      }
    }
    // Swap the original for the damaged copy, check, then put the original back.
    const original = `${path.join(localRoot, projectId)}.orig`;
    fs.renameSync(path.join(localRoot, projectId), original);
    fs.renameSync(path.join(copy, projectId), path.join(localRoot, projectId));
    try {
      const bad = await waitJob(
        (await api('POST', `/api/v1/projects/${projectId}/backups/verify`)).json().job.id,
      );
      expect(bad.status).toBe('failed');
      const view = (await api('GET', `/api/v1/projects/${projectId}/backup-policy`)).json();
      expect(view.state).toMatchObject({ lastVerifyStatus: 'failed', failing: true });
      const status = (await api('GET', '/api/v1/backups/status')).json().items;
      expect(status.find((s: { projectId: string }) => s.projectId === projectId)).toMatchObject({
        failing: true,
      });
    } finally {
      fs.rmSync(path.join(localRoot, projectId), { recursive: true, force: true });
      fs.renameSync(original, path.join(localRoot, projectId));
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('backs up to S3 (keys write-only); a wrong key fails the job and keeps the earlier snapshots', async () => {
    const target = {
      type: 's3',
      endpoint: s3.endpoint,
      bucket: 'warp-backups',
      prefix: 'panel/apps',
      region: 'us-east-1',
      accessKeyId: s3.accessKeyId,
      secretAccessKey: S3_SECRET,
      caCertificate: s3.caCertificate,
    };
    const put = await api('PUT', `/api/v1/projects/${projectId}/backup-policy`, {
      ...localPolicy(localRoot),
      target,
    });
    expect(put.statusCode).toBe(200);
    expect(put.body).not.toContain(S3_SECRET);
    expect(put.json().target.secretAccessKey).toEqual({ set: true, hint: `…${S3_SECRET.slice(-4)}` });
    expect(put.json().repository).toBe(`s3:${s3.endpoint}/warp-backups/panel/apps/${projectId}`);
    // The list shows the backups of the repository the policy points at: none on S3 yet.
    expect((await api('GET', `/api/v1/projects/${projectId}/backups`)).json().items).toEqual([]);

    // Sample every process's argv while the backup runs: no secret may ever be there.
    const seen = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
          try {
            seen.add(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
          } catch {
            // gone
          }
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const job = await backupNow();
    sampling = false;
    await sampler;
    expect(job.status, await jobLog(job.id)).toBe('succeeded');
    const password = createSecretBox(loadSecretKey(null, t.dataDir)).decrypt(
      (await t.app.repos.backups.findPolicy(projectId))!.repo_password,
    );
    const restic = [...seen].filter((c) => c.includes('restic') && c.includes('backup'));
    expect(restic.length).toBeGreaterThan(0);
    for (const secret of [password, S3_SECRET, PG_PASSWORD]) {
      expect([...seen].filter((c) => c.includes(secret))).toEqual([]);
    }
    const logs = await jobLog(job.id);
    for (const secret of [password, S3_SECRET, PG_PASSWORD]) expect(logs).not.toContain(secret);
    const [first] = (await api('GET', `/api/v1/projects/${projectId}/backups`)).json().items;
    expect(first.status).toBe('succeeded');

    // The same policy with keys omitted keeps the stored ones; then a wrong access key.
    const keep = await api('PUT', `/api/v1/projects/${projectId}/backup-policy`, {
      ...localPolicy(localRoot),
      target: { ...target, accessKeyId: undefined, secretAccessKey: undefined },
    });
    expect(keep.json().target.secretAccessKey.set).toBe(true);
    await api('PUT', `/api/v1/projects/${projectId}/backup-policy`, {
      ...localPolicy(localRoot),
      target: { ...target, accessKeyId: 'WRONGKEY' },
    });
    const failed = await backupNow();
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toMatch(
      /backup failed: restic: .*unable to open config file: .*Access Denied/,
    );
    expect(JSON.stringify(failed)).not.toContain(S3_SECRET);
    const view = (await api('GET', `/api/v1/projects/${projectId}/backup-policy`)).json();
    expect(view.state).toMatchObject({ lastStatus: 'failed', failing: true });

    await api('PUT', `/api/v1/projects/${projectId}/backup-policy`, { ...localPolicy(localRoot), target });
    const items = (await api('GET', `/api/v1/projects/${projectId}/backups`)).json().items;
    expect(items.find((i: { id: string }) => i.id === first.id)).toMatchObject({ status: 'succeeded' });
    expect(items.find((i: { status: string }) => i.status === 'failed')).toBeTruthy();
    // The earlier snapshot is still whole: restore it for inspection.
    const again = await waitJob(
      (
        await api('POST', `/api/v1/projects/${projectId}/backups/${first.id}/restore`, {
          into: 'new',
          databases: [],
        })
      ).json().job.id,
    );
    expect(again.status, await jobLog(again.id)).toBe('succeeded');
    extraVolumes.push(...(again.result as { volumes: string[] }).volumes);
  });

  it.skipIf(!canMount())('a full target fails the job and keeps the earlier snapshots', async () => {
    const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'warp-full-'));
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]).status).toBe(0);
    try {
      const put = await api(
        'PUT',
        `/api/v1/projects/${projectId}/backup-policy`,
        localPolicy(mnt, { databases: [], retention: { last: 10, daily: 0, weekly: 0 } }),
      );
      expect(put.statusCode).toBe(200);
      const first = await backupNow();
      expect(first.status, await jobLog(first.id)).toBe('succeeded');
      // Fill the file system, and give the volume new data that cannot fit.
      spawnSync('dd', ['if=/dev/zero', `of=${path.join(mnt, 'filler')}`, 'bs=64k']);
      await inHelper(['sh', '-c', 'head -c 3000000 /dev/urandom > /v/more.bin'], [`${volume}:/v`]);
      const full = await backupNow();
      expect(full.status).toBe('failed');
      expect(full.error?.message).toMatch(/no space left on device/i);
      const items = (await api('GET', `/api/v1/projects/${projectId}/backups`)).json().items;
      expect(items.map((i: { status: string }) => i.status)).toEqual(['failed', 'succeeded']);
      fs.rmSync(path.join(mnt, 'filler'));
      const check = await waitJob(
        (await api('POST', `/api/v1/projects/${projectId}/backups/verify`)).json().job.id,
      );
      expect(check.status, await jobLog(check.id)).toBe('succeeded');
    } finally {
      spawnSync('umount', [mnt]);
      fs.rmSync(mnt, { recursive: true, force: true });
    }
  });

  it('a backup of a volume that is gone writes nothing and fails, never a success', async () => {
    await api(
      'PUT',
      `/api/v1/projects/${projectId}/backup-policy`,
      localPolicy(localRoot, { databases: [] }),
    );
    await docker.getContainer(app).remove({ force: true });
    await docker.getVolume(volume).remove();
    const job = await backupNow();
    expect(job.status).toBe('failed');
    expect(job.error?.message).toMatch(/backup failed: 0 of 1 items saved/);
    const [latest] = (await api('GET', `/api/v1/projects/${projectId}/backups`)).json().items;
    expect(latest).toMatchObject({ status: 'failed', volumes: [] });
    // Loud: the failure hook ran (wired to the log until the notifications feature takes it).
    expect(capturedLogLines.some((l) => l.includes('backup.failed') && l.includes(projectId))).toBe(true);
    // The panel's helper containers never outlive their run.
    const helpers = await docker.listContainers({
      all: true,
      filters: { label: ['warp.backup-helper=true', `warp.project=${projectId}`] },
    });
    expect(helpers).toEqual([]);
  });
});
