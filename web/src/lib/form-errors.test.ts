import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.js';
import { normalisePath, splitErrors } from './form-errors.js';

const validation = (details: { path: string; message: string }[]) =>
  new ApiError(400, 'VALIDATION_FAILED', 'request is invalid', details);

describe('splitErrors', () => {
  it('puts each detail next to the field its path names', () => {
    const { fields, general } = splitErrors(
      validation([
        { path: 'subdomain', message: 'must be one DNS label' },
        { path: 'containerPort', message: 'too big' },
      ]),
      ['image', 'subdomain', 'containerPort'],
    );
    expect(fields).toEqual({ subdomain: 'must be one DNS label', containerPort: 'too big' });
    expect(general).toEqual([]);
  });

  it('maps nested paths to the closest field and list items to their list', () => {
    const { fields } = splitErrors(
      validation([
        { path: 'tunnel.restart.target', message: 'required' },
        { path: 'access.allowedUsers.2', message: 'expected a GitHub login' },
      ]),
      ['tunnel.restart', 'tunnel.restart.target', 'access.allowedUsers'],
    );
    expect(fields).toEqual({
      'tunnel.restart.target': 'required',
      'access.allowedUsers': 'expected a GitHub login',
    });
  });

  it('splits comma-joined unknown keys and keeps unmatched ones general', () => {
    const { fields, general } = splitErrors(validation([{ path: 'name,bogus', message: 'unknown field' }]), [
      'name',
    ]);
    expect(fields).toEqual({ name: 'unknown field' });
    expect(general).toEqual(['bogus: unknown field']);
  });

  it('joins two messages for one field', () => {
    const { fields } = splitErrors(
      validation([
        { path: 'port', message: 'a' },
        { path: 'port', message: 'b' },
      ]),
      ['port'],
    );
    expect(fields.port).toBe('a; b');
  });

  it('uses the message of errors without details, and plain errors', () => {
    expect(splitErrors(new ApiError(409, 'CONFLICT', 'hostname taken'), ['subdomain']).general).toEqual([
      'hostname taken',
    ]);
    expect(splitErrors(new Error('boom'), []).general).toEqual(['boom']);
    expect(splitErrors(null, ['x'])).toEqual({ fields: {}, general: [] });
  });

  it('normalises JSON-pointer, body-prefixed and bracket paths', () => {
    expect(normalisePath('/ports/start')).toBe('ports.start');
    expect(normalisePath('body.subdomain')).toBe('subdomain');
    expect(normalisePath('items[3].name')).toBe('items.3.name');
  });
});
