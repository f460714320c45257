// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Settings } from '../api/types.js';
import { renderWithQuery, stubFetch } from '../test-utils.js';
import { RegistriesSettings } from './registries-settings.js';

const settings = {
  allowedRegistries: ['10.0.0.5:5000'],
  registries: [{ host: 'ghcr.io', username: 'octo', password: { set: true, hint: '…9f2c' } }],
} as unknown as Settings;

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('RegistriesSettings', () => {
  it('saves a new login with the saved ones sent without a password (which keeps theirs)', async () => {
    const calls = stubFetch({ 'PATCH /api/v1/settings': { status: 200, body: settings } });
    renderWithQuery(<RegistriesSettings settings={settings} canEdit />);
    expect(screen.getByText('set ••••9f2c')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Registry host'), { target: { value: '127.0.0.1:5000' } });
    fireEvent.change(screen.getByLabelText('User name'), { target: { value: 'warp' } });
    fireEvent.change(screen.getByLabelText('Password or token'), { target: { value: 's3cret-pw' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save credentials' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(1));
    expect(calls[0]?.body).toEqual({
      registries: [
        { host: 'ghcr.io', username: 'octo' },
        { host: '127.0.0.1:5000', username: 'warp', password: 's3cret-pw' },
      ],
    });
    expect(calls[0]?.headers['x-warp-request']).toBe('1');
  });

  it('checks a saved login and shows the answer', async () => {
    const calls = stubFetch({
      'POST /api/v1/registries/ghcr.io/check': {
        status: 200,
        body: { ok: false, message: 'registry ghcr.io rejected the credentials of octo' },
      },
    });
    renderWithQuery(<RegistriesSettings settings={settings} canEdit />);
    fireEvent.click(screen.getAllByRole('button', { name: 'Check' })[0] as HTMLElement);
    await waitFor(() =>
      expect(screen.getByText('registry ghcr.io rejected the credentials of octo')).toBeTruthy(),
    );
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', '/api/v1/registries/ghcr.io/check', undefined],
    ]);
  });
});
