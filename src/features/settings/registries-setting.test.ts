import { describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.js';
import { createSecretBox } from '../../lib/secret-box.js';
import {
  mergeRegistries,
  openRegistries,
  registriesPatchSchema,
  registriesView,
  sealRegistries,
} from './registries-setting.js';

const saved = [
  { host: 'ghcr.io', username: 'octo', password: 'ghp_0123456789abcdef' },
  { host: 'docker.io', username: 'me', password: 'dckr_pat_abcdefghijkl' },
];
const patch = (body: unknown) => registriesPatchSchema.parse(body);

describe('the registries setting', () => {
  it('replaces the list, keeping the saved password of a host whose entry leaves it out', () => {
    const next = mergeRegistries(
      saved,
      patch([
        { host: 'GHCR.IO', username: 'octocat' },
        { host: '127.0.0.1:5000', username: 'warp', password: 'secret' },
      ]),
    );
    expect(next).toEqual([
      { host: 'ghcr.io', username: 'octocat', password: 'ghp_0123456789abcdef' },
      { host: '127.0.0.1:5000', username: 'warp', password: 'secret' },
    ]);
  });

  it('sets a new password from a string, clears it with null, and keeps a new host without one', () => {
    expect(
      mergeRegistries(
        saved,
        patch([
          { host: 'ghcr.io', username: 'octo', password: 'new-token' },
          { host: 'docker.io', username: 'me', password: null },
          { host: 'quay.io', username: 'q' },
        ]),
      ),
    ).toEqual([
      { host: 'ghcr.io', username: 'octo', password: 'new-token' },
      { host: 'docker.io', username: 'me', password: null },
      { host: 'quay.io', username: 'q', password: null },
    ]);
    expect(mergeRegistries(saved, patch([]))).toEqual([]);
  });

  it('knows Docker Hub by every alias and refuses a host listed twice', () => {
    expect(patch([{ host: 'https://index.docker.io/v1/', username: 'me' }])[0]?.host).toBe('docker.io');
    const kept = mergeRegistries(saved, patch([{ host: 'registry-1.docker.io', username: 'me' }]));
    expect(kept).toEqual([{ host: 'docker.io', username: 'me', password: 'dckr_pat_abcdefghijkl' }]);
    let err: unknown;
    try {
      mergeRegistries(
        saved,
        patch([
          { host: 'docker.io', username: 'a' },
          { host: 'index.docker.io', username: 'b' },
        ]),
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).details).toEqual([
      { path: 'registries.1.host', message: 'docker.io is listed twice' },
    ]);
  });

  it('refuses bad hosts, user names with a colon, empty passwords and unknown fields', () => {
    for (const bad of [
      [{ host: 'not a host', username: 'a' }],
      [{ host: 'ghcr.io', username: 'a:b' }],
      [{ host: 'ghcr.io', username: '' }],
      [{ host: 'ghcr.io', username: 'a', password: '' }],
      [{ host: 'ghcr.io', username: 'a', token: 'x' }],
    ])
      expect(registriesPatchSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('stores each password encrypted and shows only whether it is set and its last four characters', () => {
    const box = createSecretBox(Buffer.alloc(32, 7));
    const stored = sealRegistries(saved, box);
    expect(JSON.stringify(stored)).not.toContain('ghp_0123456789abcdef');
    expect(openRegistries(JSON.parse(JSON.stringify(stored)), box)).toEqual(saved);
    expect(openRegistries(undefined, box)).toEqual([]);
    expect(registriesView([...saved, { host: 'quay.io', username: 'q', password: null }])).toEqual([
      { host: 'ghcr.io', username: 'octo', password: { set: true, hint: '…cdef' } },
      { host: 'docker.io', username: 'me', password: { set: true, hint: '…ijkl' } },
      { host: 'quay.io', username: 'q', password: { set: false, hint: null } },
    ]);
  });
});
