// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithQuery, stubFetch } from '../test-utils.js';
import { ProjectHooks } from './project-hooks.js';

const ID = '01900000-0000-7000-8000-000000000001';
const delivery = {
  id: 'd1',
  deliveryId: 'g1',
  source: 'github',
  event: 'push',
  repo: 'acme/shop',
  ref: 'refs/heads/feature',
  commit: 'a'.repeat(40),
  result: 'ignored',
  reason: 'push to feature; the project tracks main',
  at: '2024-01-01T00:00:00Z',
  projectId: ID,
  jobId: null,
};

describe('ProjectHooks', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('says why a push did not deploy, and shows a new deploy-hook token once', async () => {
    const calls = stubFetch({
      [`GET /api/v1/projects/${ID}/deliveries`]: {
        status: 200,
        body: { items: [delivery], branch: null, autoDeploy: true, deployHook: null },
      },
      [`POST /api/v1/projects/${ID}/deploy-hook`]: {
        status: 201,
        body: { url: `http://panel/hooks/deploy/${ID}`, token: 'wph_secret-token' },
      },
    });
    renderWithQuery(<ProjectHooks id={ID} repoBacked />);
    await screen.findByText(/push to feature; the project tracks main/);
    expect(screen.getByText('ignored')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Create deploy hook' }));
    const token = (await screen.findByLabelText('Deploy hook token')) as HTMLInputElement;
    expect(token.value).toBe('wph_secret-token');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByLabelText('Deploy hook token')).toBeNull());
    expect(document.body.textContent).not.toContain('wph_secret-token');
  });
});
