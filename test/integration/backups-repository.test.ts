/** The backups tables on both engines: policy upserts keep run state, big sizes, crash look-ups. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.js';
import { testEngines } from '../support/databases.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const engines = await testEngines();

describe.each(engines)('backups repository (%s)', (engine) => {
  let t: TestApp;
  const projectId = newId();
  const now = new Date().toISOString();
  const policy = {
    project_id: projectId,
    schedule: '30 2 * * *',
    timezone: 'UTC',
    before_deploy: 0,
    volumes: '["data"]',
    databases: '[]',
    target: '{"type":"local","path":"/srv/b"}',
    target_secrets: null,
    retention: '{"last":7,"daily":7,"weekly":4}',
    verify_schedule: null,
    repo_password: 'v1:sealed',
    created_at: now,
    updated_at: now,
    updated_by: 'admin',
  };

  beforeAll(async () => {
    t = await createTestApp({ engine });
    await t.app.repos.projects.insert({
      id: projectId,
      name: 'p',
      kind: 'quick',
      subdomain: `p${projectId.slice(-6)}`,
      status: 'running',
      container_names: '[]',
      spec: '{}',
      created_at: now,
      updated_at: now,
    });
  });
  afterAll(async () => t?.close());

  it('saving a policy again keeps its run state; the dashboard list joins the project name', async () => {
    const repo = t.app.repos.backups;
    await repo.savePolicy(policy);
    await repo.updatePolicy(projectId, { last_status: 'failed', last_error: 'boom' });
    await repo.savePolicy({ ...policy, schedule: null, updated_at: new Date().toISOString() });
    const row = await repo.findPolicy(projectId);
    expect(row).toMatchObject({ schedule: null, last_status: 'failed', last_error: 'boom', created_at: now });
    expect((await repo.listPolicies()).map((p) => [p.project_id, p.project_name])).toEqual([
      [projectId, 'p'],
    ]);
  });

  it('stores sizes beyond 32 bits and finds runs a crash left running', async () => {
    const repo = t.app.repos.backups;
    const jobId = newId();
    const run = {
      id: newId(),
      project_id: projectId,
      job_id: jobId,
      location: '/srv/b/x',
      reason: 'manual' as const,
      status: 'running' as const,
      size: 0,
      added: 0,
      items: '[]',
      created_at: now,
    };
    await repo.insertRun(run);
    await repo.updateRun(run.id, { size: 5_000_000_000, added: 3_000_000_000 });
    const [stored] = await repo.listRuns(projectId, '/srv/b/x');
    expect(Number(stored?.size)).toBe(5_000_000_000);
    expect((await repo.listRunningByJobs([jobId])).map((r) => r.id)).toEqual([run.id]);
    expect(await repo.listRuns(projectId, '/elsewhere')).toEqual([]);
    await repo.deleteRuns([run.id]);
    expect(await repo.findRun(projectId, run.id)).toBeUndefined();
  });
});
