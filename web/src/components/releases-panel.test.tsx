// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithQuery, stubFetch } from '../test-utils.js';
import { ReleasesPanel } from './releases-panel.js';

const P = '0190c3f1-aaaa-7bbb-8ccc-1234567890ab';
const release = (seq: number, live: boolean) => ({
  id: `0190c3f1-000${seq}-7bbb-8ccc-1234567890ab`,
  seq,
  createdAt: `2026-01-1${seq}T10:00:00.000Z`,
  live,
  activatedAt: null,
  strategy: 'blue-green',
  images: [{ service: 'web', image: 'nginx:1.27', digest: `sha256:${String(seq).repeat(64)}` }],
  commit: seq === 1 ? 'a'.repeat(40) : null,
  hostPort: 8100 + seq,
  composeProject: null,
  envKeys: [],
  jobId: `job-${seq}`,
  actor: 'octocat',
});
const tunnel = (warning: string | null) => ({
  mode: 'local',
  name: 'home',
  id: null,
  rules: [],
  connections: null,
  lastRestartAt: null,
  restart: { mode: 'systemd', replicas: warning ? 1 : 2, warning },
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('ReleasesPanel', () => {
  it('marks the live release, offers a rollback to the others, and posts it', async () => {
    const calls = stubFetch({
      [`GET /api/v1/projects/${P}/releases`]: {
        status: 200,
        body: { items: [release(2, true), release(1, false)] },
      },
      'GET /api/v1/tunnel': { status: 200, body: tunnel(null) },
      [`POST /api/v1/projects/${P}/releases/${release(1, false).id}/rollback`]: {
        status: 202,
        body: { project: {}, job: { id: 'job-9' } },
      },
    });
    renderWithQuery(<ReleasesPanel projectId={P} />);
    const rows = await screen.findAllByRole('row');
    expect(within(rows[1]!).getByText('live')).toBeTruthy();
    expect(within(rows[1]!).queryByRole('button', { name: 'Roll back' })).toBeNull();
    expect(within(rows[2]!).getByText('aaaaaaaaaaaa')).toBeTruthy();
    expect(screen.queryByRole('status')).toBeNull(); // two replicas: no warning
    fireEvent.click(within(rows[2]!).getByRole('button', { name: 'Roll back' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Roll back to #1', hidden: true }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.url).toBe(
      `/api/v1/projects/${P}/releases/${release(1, false).id}/rollback`,
    );
  });

  it('warns that a single cloudflared replica interrupts every app on each publish', async () => {
    stubFetch({
      [`GET /api/v1/projects/${P}/releases`]: { status: 200, body: { items: [] } },
      'GET /api/v1/tunnel': { status: 200, body: tunnel('cloudflared runs as a single replica: …') },
    });
    renderWithQuery(<ReleasesPanel projectId={P} />);
    expect((await screen.findByRole('status')).textContent).toMatch(/single replica/);
    expect(screen.getByText(/No release yet/)).toBeTruthy();
  });
});
