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

  it("puts a group's problem on the group's first field", () => {
    const { fields, general } = splitErrors(
      validation([{ path: 'ports', message: 'start must not be after end' }]),
      ['baseDomain', 'ports.start', 'ports.end'],
    );
    expect(fields).toEqual({ 'ports.start': 'start must not be after end' });
    expect(general).toEqual([]);
  });

  it('splits comma-joined unknown keys and keeps unmatched ones general', () => {
    const { fields, general } = splitErrors(validation([{ path: 'name,bogus', message: 'unknown field' }]), [
      'name',
    ]);
    expect(fields).toEqual({ name: 'is not a field this form sends' });
    expect(general).toEqual(['Bogus is not a field this form sends']);
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
    expect(splitErrors(null, ['x'])).toEqual({ fields: {}, general: [], holders: {} });
  });

  it('names unmatched fields by their label, never by the internal path, and keeps every cause', () => {
    const { general } = splitErrors(
      validation([
        { path: 'tunnel.id', message: 'is required in remote mode' },
        { path: 'env.FOO', message: 'Bad value' },
        { path: 'github.appPrivateKey', message: 'is not a PEM key' },
      ]),
      [],
      { 'tunnel.id': 'Tunnel id', env: 'Environment' },
    );
    expect(general).toEqual([
      'Tunnel id is required in remote mode',
      'Environment (FOO): Bad value',
      'App private key is not a PEM key',
    ]);
  });

  it('rewrites zod wording into words for people', () => {
    const { fields } = splitErrors(
      validation([
        { path: 'image', message: 'Invalid input: expected string, received undefined' },
        { path: 'containerPort', message: 'Too big: expected number to be <=65535' },
        { path: 'subdomain', message: 'Invalid string: must match pattern /^[a-z0-9]+$/' },
      ]),
      ['image', 'containerPort', 'subdomain'],
    );
    expect(fields).toEqual({
      image: 'is required',
      containerPort: 'must be 65535 or less',
      subdomain: 'is not in the expected form',
    });
  });

  it('keeps the project that holds a subdomain, to link to it', () => {
    const conflict = new ApiError(409, 'CONFLICT', 'x.example.com is held by project draw', [
      { path: 'subdomain', message: 'held by project draw', projectId: 'p-1' },
    ]);
    expect(splitErrors(conflict, ['subdomain'])).toEqual({
      fields: { subdomain: 'held by project draw' },
      general: [],
      holders: { subdomain: 'p-1' },
    });
  });

  it('normalises JSON-pointer, body-prefixed and bracket paths', () => {
    expect(normalisePath('/ports/start')).toBe('ports.start');
    expect(normalisePath('body.subdomain')).toBe('subdomain');
    expect(normalisePath('items[3].name')).toBe('items.3.name');
  });
});
