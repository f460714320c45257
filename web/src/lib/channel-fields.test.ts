import { describe, expect, it } from 'vitest';
import type { Channel } from '../api/types.js';
import { buildConfig, initialValues } from './channel-fields.js';

const email: Channel = {
  id: 'c1',
  name: 'mail',
  type: 'email',
  config: {
    host: 'smtp.example.com',
    port: 587,
    security: 'starttls',
    username: null,
    password: { set: true, hint: '…abcd' },
    from: 'a@example.com',
    to: ['b@example.com', 'c@example.com'],
    verifyCertificate: false,
  },
  events: [],
  enabled: true,
  createdAt: '',
  updatedAt: '',
};

describe('channel form values', () => {
  it('starts secrets empty and shows lists and flags as text', () => {
    expect(initialValues('email', email)).toEqual({
      host: 'smtp.example.com',
      port: '587',
      security: 'starttls',
      username: '',
      password: '',
      from: 'a@example.com',
      to: 'b@example.com, c@example.com',
      verifyCertificate: 'false',
    });
    expect(initialValues('ntfy', null)).toMatchObject({ serverUrl: '', topic: '', token: '' });
  });

  it('leaves an untouched secret out of an edit, clears it on request, and sends optional blanks as null', () => {
    const values = initialValues('email', email);
    expect(buildConfig('email', values, { editing: true })).toEqual({
      host: 'smtp.example.com',
      port: 587,
      security: 'starttls',
      username: null,
      from: 'a@example.com',
      to: ['b@example.com', 'c@example.com'],
      verifyCertificate: false,
    });
    expect(
      buildConfig('email', values, { editing: true, cleared: new Set(['password']) }).password,
    ).toBeNull();
    expect(
      buildConfig('webhook', { url: ' https://x.test ', secret: 's3cret-value' }, { editing: false }),
    ).toEqual({
      url: 'https://x.test',
      secret: 's3cret-value',
    });
    expect(buildConfig('webhook', { url: 'https://x.test', secret: '' }, { editing: false })).toEqual({
      url: 'https://x.test',
    });
  });
});
