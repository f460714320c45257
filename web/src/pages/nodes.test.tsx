// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithQuery, stubFetch } from '../test-utils.js';
import Nodes, { engineModeText } from './nodes.js';
import { QuickServiceForm } from './project-forms.js';

const settings = { status: 200, body: { baseDomain: 'example.com' } };
const node = (hostname: string, role: 'manager' | 'worker', availability = 'active') => ({
  id: `${hostname}00000000000000000000`.slice(0, 25),
  hostname,
  role,
  availability,
  state: 'ready',
  engineVersion: '26.1.5',
  labels: role === 'worker' ? { zone: 'b' } : {},
  address: null,
  leader: role === 'manager',
  reachability: null,
  resources: { nanoCpus: 2e9, memoryBytes: 4 * 1024 ** 3 },
  self: role === 'manager',
});
const swarm = {
  status: 200,
  body: { mode: 'swarm', role: 'manager', items: [node('a', 'manager'), node('b', 'worker')] },
};
const me = (role: string) => ({ status: 200, body: { user: { id: 'u', login: 'x', role }, session: {} } });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('Nodes page', () => {
  it('names the engine mode', () => {
    expect(engineModeText({ mode: 'single', role: null, items: [] })).toBe('Single engine');
    expect(engineModeText({ mode: 'swarm', role: 'manager', items: [1, 2] })).toBe('Swarm manager · 2 nodes');
  });

  it('lists nodes and lets an admin drain one', async () => {
    const calls = stubFetch({
      'GET /auth/me': me('admin'),
      'GET /api/v1/nodes': swarm,
      [`POST /api/v1/nodes/${node('b', 'worker').id}/drain`]: {
        status: 200,
        body: node('b', 'worker', 'drain'),
      },
    });
    renderWithQuery(<Nodes />);
    await waitFor(() => expect(screen.getByText('Swarm manager · 2 nodes', { exact: false })).toBeTruthy());
    expect(screen.getByText('zone=b')).toBeTruthy();
    const drains = await screen.findAllByRole('button', { name: 'Drain' });
    fireEvent.click(drains[1]!);
    await waitFor(() =>
      expect(calls.some((c) => c.method === 'POST' && c.url.endsWith('/drain'))).toBe(true),
    );
  });
});

describe('QuickServiceForm on a Swarm', () => {
  it('sends target swarm and the replicas', async () => {
    const calls = stubFetch({
      'GET /api/v1/settings': settings,
      'GET /api/v1/nodes': swarm,
      'POST /api/v1/projects/quick-service': {
        status: 409,
        body: { error: { code: 'CONFLICT', message: 'taken', requestId: 'x' } },
      },
    });
    renderWithQuery(<QuickServiceForm />);
    fireEvent.change(screen.getByLabelText('Image'), { target: { value: 'nginx' } });
    fireEvent.change(screen.getByLabelText('Subdomain'), { target: { value: 'web' } });
    const target = screen.getByLabelText('Runs on') as HTMLSelectElement;
    await waitFor(() =>
      expect((target.querySelector('option[value=swarm]') as HTMLOptionElement).disabled).toBe(false),
    );
    fireEvent.change(target, { target: { value: 'swarm' } });
    fireEvent.change(screen.getByLabelText('Replicas'), { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/taken/));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      image: 'nginx',
      subdomain: 'web',
      containerPort: 80,
      target: 'swarm',
      replicas: 3,
    });
  });
});
