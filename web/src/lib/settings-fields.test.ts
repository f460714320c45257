import { describe, expect, it } from 'vitest';
import { buildPatch, getPath, type SettingField, secretLabel } from './settings-fields.js';

const fields: SettingField[] = [
  { path: 'baseDomain', label: 'd', kind: 'nullable' },
  { path: 'ports.start', label: 's', kind: 'number' },
  { path: 'access.allowedUsers', label: 'u', kind: 'list' },
  { path: 'github.oauthClientSecret', label: 'c', kind: 'secret' },
  { path: 'cloudflare.apiToken', label: 't', kind: 'secret' },
];

describe('settings fields', () => {
  it('builds a nested PATCH body, leaving empty secrets out and sending cleared ones as null', () => {
    const patch = buildPatch(
      fields,
      {
        baseDomain: ' ',
        'ports.start': '8100',
        'access.allowedUsers': 'a, b  c',
        'github.oauthClientSecret': '',
      },
      new Set(['cloudflare.apiToken']),
    );
    expect(patch).toEqual({
      baseDomain: null,
      ports: { start: 8100 },
      access: { allowedUsers: ['a', 'b', 'c'] },
      cloudflare: { apiToken: null },
    });
    expect(getPath(patch, 'ports.start')).toBe(8100);
  });

  it('shows a secret only as a hint', () => {
    expect(secretLabel({ set: true, hint: '…9f2c' })).toBe('set ••••9f2c');
    expect(secretLabel({ set: true, hint: null })).toBe('set');
    expect(secretLabel({ set: false, hint: null })).toBe('not set');
  });
});
