// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithQuery, stubFetch } from '../test-utils.js';
import { BackupsPanel } from './backups-panel.js';

const P = '0190c3f1-aaaa-7bbb-8ccc-1234567890ab';
const B = '0190c3f1-bbbb-7bbb-8ccc-1234567890ab';
const state = {
  lastStatus: 'failed',
  lastRunAt: new Date().toISOString(),
  lastSuccessAt: null,
  lastError: 'volume data: tar exited with 2',
  lastJobId: 'job-1',
  lastVerifyAt: null,
  lastVerifyStatus: null,
  lastVerifyError: null,
  nextRunAt: '2026-01-16T01:30:00.000Z',
  nextVerifyAt: null,
  failing: true,
};
const policy = {
  configured: true,
  schedule: '30 2 * * *',
  timezone: 'Europe/Berlin',
  beforeDeploy: false,
  volumes: ['data'],
  databases: ['db'],
  target: {
    type: 's3',
    endpoint: 'https://s3.example.com',
    bucket: 'b',
    prefix: '',
    region: 'us-east-1',
    accessKeyId: { set: true, hint: '…WXYZ' },
    secretAccessKey: { set: true, hint: '…abcd' },
    caCertificate: null,
  },
  retention: { last: 7, daily: 7, weekly: 4 },
  verifySchedule: '0 4 * * 0',
  repository: `s3:https://s3.example.com/b/${P}`,
  state,
};
const backup = {
  id: B,
  createdAt: '2026-01-15T01:30:00.000Z',
  finishedAt: '2026-01-15T01:31:00.000Z',
  size: 2048,
  added: 1024,
  volumes: ['data'],
  databases: ['db'],
  status: 'succeeded',
  reason: 'schedule',
  jobId: 'job-0',
  error: null,
  items: [],
};
const job = { id: 'job-9', status: 'queued' };

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('BackupsPanel', () => {
  it('shows a failing backup loudly, the list, and restores a chosen backup as a copy', async () => {
    const calls = stubFetch({
      [`GET /api/v1/projects/${P}/backup-policy`]: { status: 200, body: policy },
      [`GET /api/v1/projects/${P}/backups`]: { status: 200, body: { items: [backup] } },
      'GET /auth/me': { status: 200, body: { user: { role: 'admin', login: 'a' }, session: {} } },
      [`POST /api/v1/projects/${P}/backups/${B}/restore`]: { status: 202, body: { job } },
    });
    renderWithQuery(<BackupsPanel projectId={P} volumeNames={['data']} />);
    expect((await screen.findByRole('alert')).textContent).toMatch(/last backup failed .*tar exited with 2/);
    expect(await screen.findByText('data, db')).toBeTruthy();
    expect(screen.getByText(policy.repository)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Restore as copy' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Start restore', hidden: true }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({ into: 'new' });
  });

  it('offers the policy form to admins and keeps stored S3 keys when left empty', async () => {
    const calls = stubFetch({
      [`GET /api/v1/projects/${P}/backup-policy`]: { status: 200, body: policy },
      [`GET /api/v1/projects/${P}/backups`]: { status: 200, body: { items: [] } },
      'GET /auth/me': { status: 200, body: { user: { role: 'admin', login: 'a' }, session: {} } },
      [`PUT /api/v1/projects/${P}/backup-policy`]: { status: 200, body: policy },
    });
    renderWithQuery(<BackupsPanel projectId={P} volumeNames={['data', 'cache']} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit policy' }));
    expect(screen.getByText(/Stored \(…abcd\); leave empty to keep it/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    const put = calls.find((c) => c.method === 'PUT')?.body as {
      target: Record<string, unknown>;
      volumes: string[];
    };
    expect(put.target).not.toHaveProperty('secretAccessKey');
    expect(put.target).not.toHaveProperty('accessKeyId');
    expect(put.volumes).toEqual(['data']);
  });
});
