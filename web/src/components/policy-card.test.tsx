// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithQuery, stubFetch } from '../test-utils.js';
import { PolicyCard } from './policy-card.js';

const P = '0190c3f1-aaaa-7bbb-8ccc-1234567890ab';
const exceptions = [
  { name: 'privileged', description: 'run privileged containers' },
  { name: 'hostPaths', description: 'bind-mount host paths outside the project folder' },
];
const me = (role: string) => ({
  status: 200,
  body: {
    user: { id: 'u', login: 'x', name: null, avatarUrl: null, role, provider: 'local' },
    session: { expiresAt: null },
  },
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the host-access card', () => {
  it('shows an operator what the project may do, without controls', async () => {
    stubFetch({
      'GET /auth/me': me('operator'),
      [`GET /api/v1/projects/${P}/policy`]: { status: 200, body: { allow: ['privileged'], exceptions } },
    });
    renderWithQuery(<PolicyCard projectId={P} />);
    expect((await screen.findByTestId('policy-summary')).textContent).toMatch(/run privileged containers/);
    expect(screen.queryByRole('checkbox')).toBeNull();
  });

  it('lets an admin grant an exception with one PUT of the whole list', async () => {
    const calls = stubFetch({
      'GET /auth/me': me('admin'),
      [`GET /api/v1/projects/${P}/policy`]: { status: 200, body: { allow: [], exceptions } },
      [`PUT /api/v1/projects/${P}/policy`]: { status: 200, body: {} },
    });
    renderWithQuery(<PolicyCard projectId={P} />);
    expect((await screen.findByTestId('policy-summary')).textContent).toMatch(/inside its containers only/);
    fireEvent.click(await screen.findByLabelText(/bind-mount host paths/));
    fireEvent.click(screen.getByRole('button', { name: /Save exceptions/ }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ allow: ['hostPaths'] });
  });
});
