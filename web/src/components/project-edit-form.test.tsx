// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Project } from '../api/types.js';
import { renderWithQuery, stubFetch } from '../test-utils.js';
import { ProjectEditForm } from './project-edit-form.js';

const project = (over: Partial<Project> = {}): Project =>
  ({
    id: 'p1',
    name: 'web',
    kind: 'quick',
    subdomain: 'web',
    hostname: 'web.example.com',
    url: 'https://web.example.com',
    hostPort: 8100,
    status: 'running',
    statusReason: null,
    repo: null,
    image: 'nginx',
    path: null,
    containerNames: ['web'],
    composeProject: null,
    images: [],
    createdAt: '',
    updatedAt: '',
    lastJobId: null,
    policyExceptions: [],
    settings: {
      containerPort: 80,
      envNames: [],
      service: null,
      branch: null,
      autoDeploy: false,
      target: 'host',
      replicas: null,
    },
    target: 'host',
    replicas: null,
    ...over,
  }) as Project;

const single = { status: 200, body: { mode: 'single', role: null, items: [] } };
const manager = { status: 200, body: { mode: 'swarm', role: 'manager', items: [] } };

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('ProjectEditForm: where the project runs', () => {
  it('offers no target on a single engine', async () => {
    const calls = stubFetch({ 'GET /api/v1/nodes': single });
    renderWithQuery(<ProjectEditForm project={project()} />);
    await waitFor(() => expect(calls.some((c) => c.url.startsWith('/api/v1/nodes'))).toBe(true));
    expect(screen.queryByLabelText('Runs on')).toBeNull();
  });

  it('moves a host project to the Swarm with its replicas on a Swarm manager', async () => {
    const calls = stubFetch({
      'GET /api/v1/nodes': manager,
      'PATCH /api/v1/projects/p1': {
        status: 200,
        body: project({ settings: { ...project().settings, target: 'swarm', replicas: 3 } }),
      },
    });
    renderWithQuery(<ProjectEditForm project={project()} />);
    const target = (await screen.findByLabelText('Runs on')) as HTMLSelectElement;
    await waitFor(() =>
      expect((target.querySelector('option[value=swarm]') as HTMLOptionElement).disabled).toBe(false),
    );
    fireEvent.change(target, { target: { value: 'swarm' } });
    expect(screen.getByText(/Moves to the Swarm at the next deploy/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Replicas'), { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.getByText(/Saved — used at the next deploy/)).toBeTruthy());
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ target: 'swarm', replicas: 3 });
  });

  it('changes only the replicas of a project on the Swarm', async () => {
    const onSwarm = project({
      target: 'swarm',
      replicas: 2,
      hostPort: null,
      settings: { ...project().settings, target: 'swarm', replicas: 2 },
    });
    const calls = stubFetch({
      'GET /api/v1/nodes': manager,
      'PATCH /api/v1/projects/p1': { status: 200, body: onSwarm },
    });
    renderWithQuery(<ProjectEditForm project={onSwarm} />);
    fireEvent.change(await screen.findByLabelText('Replicas'), { target: { value: '4' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ replicas: 4 });
  });
});
