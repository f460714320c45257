/**
 * Table tests in the shapes of distribution/reference's own tables (TestReferenceParse,
 * TestValidateReferenceName, TestParseRepositoryInfo, TestParseDockerRef, TestNormalizedSplitHostname)
 * plus go-digest's rules, with this project's own entries, and properties over generated references.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  familiarImageReference,
  fullImageReference,
  imageRegistryHost,
  isValidImageReference,
  normalizeImageReference,
  parseImageReference,
  sameImage,
} from './image-reference.js';

const H64 = 'f'.repeat(64);
const SHA256 = `sha256:${'0123456789abcdef'.repeat(4)}`;
const SHA512 = `sha512:${'0123456789abcdef'.repeat(8)}`;

describe('parsing (ParseNormalizedNamed)', () => {
  // input → registry, remote name (path), tag, digest
  const valid: [string, string, string, string | null, string | null][] = [
    ['redis', 'docker.io', 'library/redis', null, null],
    ['redis:7.2-alpine', 'docker.io', 'library/redis', '7.2-alpine', null],
    ['library/redis', 'docker.io', 'library/redis', null, null],
    ['docker.io/redis', 'docker.io', 'library/redis', null, null],
    ['index.docker.io/redis', 'docker.io', 'library/redis', null, null],
    ['index.docker.io/grafana/grafana:11', 'docker.io', 'grafana/grafana', '11', null],
    ['docker.io/library/redis/extra', 'docker.io', 'library/redis/extra', null, null],
    ['test_com/foo', 'docker.io', 'test_com/foo', null, null],
    ['localhost/app', 'localhost', 'app', null, null],
    ['localhost:5000/team/api:1.0', 'localhost:5000', 'team/api', '1.0', null],
    ['test:5000/repo', 'test:5000', 'repo', null, null],
    ['test.com:tag', 'docker.io', 'library/test.com', 'tag', null],
    ['test.com:5000', 'docker.io', 'library/test.com', '5000', null],
    ['localhost:5000', 'docker.io', 'library/localhost', '5000', null],
    ['192.168.1.1', 'docker.io', 'library/192.168.1.1', null, null],
    ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000', 'repo', '5050', null],
    ['[2001:db8::1]/repo', '[2001:db8::1]', 'repo', null, null],
    ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000', 'repo', 'tag', null],
    ['[::1]:5000/repo', '[::1]:5000', 'repo', null, null],
    ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com', 'myimage', 'xn--n3h.com', null],
    ['Uppercase.Registry/lower', 'Uppercase.Registry', 'lower', null, null],
    ['FOO/bar', 'FOO', 'bar', null, null],
    ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com', 'bar/baz/quux', null, null],
    ['ghcr.io/org/app:v1.2.3', 'ghcr.io', 'org/app', 'v1.2.3', null],
    ['lowercase:Uppercase', 'docker.io', 'library/lowercase', 'Uppercase', null],
    ['my__svc/a-b---c.d_e', 'docker.io', 'my__svc/a-b---c.d_e', null, null],
    [`busybox:latest@${SHA256}`, 'docker.io', 'library/busybox', 'latest', SHA256],
    [`ghcr.io/org/app@${SHA512}`, 'ghcr.io', 'org/app', null, SHA512],
    [`${H64}:tag`, 'docker.io', `library/${H64}`, 'tag', null],
    [`docker.io/${H64}`, 'docker.io', `library/${H64}`, null, null],
    ['f'.repeat(63), 'docker.io', `library/${'f'.repeat(63)}`, null, null],
    // The first segment looks like a registry but is not a valid domain: the whole name is the path.
    ['foo_bar.com/baz', '', 'foo_bar.com/baz', null, null],
  ];
  it.each(valid)('%s', (input, registry, remote, tag, digest) => {
    const r = parseImageReference(input);
    expect([r.registry, r.path.join('/'), r.tag, r.digest]).toEqual([registry, remote, tag, digest]);
    expect(r.domain).toBe(registry === 'docker.io' ? null : registry);
    expect(isValidImageReference(input)).toBe(true);
  });

  const invalid: [string, RegExp][] = [
    ['', /empty/],
    [':justtag', /invalid reference format/],
    [`@${SHA256}`, /invalid reference format/],
    ['https://github.com/docker/docker', /invalid reference format/],
    ['docker/Docker', /must be lowercase/],
    ['Uppercase:tag', /must be lowercase/],
    ['docker.io/docker/Docker', /must be lowercase/],
    ['test:5000/Uppercase/lowercase:tag', /must be lowercase/],
    ['-docker', /invalid reference format/],
    ['-docker.io/docker/docker', /invalid reference format/],
    ['docker-/docker', /invalid reference format/],
    ['docker///docker', /invalid reference format/],
    ['____/____', /invalid reference format/],
    ['dock..er/docker', /invalid reference format/],
    ['dock_.er/docker', /invalid reference format/],
    ['docker/', /invalid reference format/],
    ['aa/asdf$$^/aa', /invalid reference format/],
    ['[fc00::1]', /invalid reference format/],
    ['[fc00::1]:5000', /invalid reference format/],
    ['[2001:db8::1]:tag', /invalid reference format/],
    ['fc00::1:5000/debian', /invalid reference format/],
    ['[fe80::1%eth0]:5000/debian', /invalid reference format/],
    ['[2001:db8:3:4::192.0.2.33]:5000/debian', /invalid reference format/],
    [H64, /64-byte hexadecimal/],
    ['app:', /invalid reference format/],
    ['app:-tag', /invalid reference format/],
    ['app:.tag', /invalid reference format/],
    [`app:${'t'.repeat(129)}`, /invalid reference format/],
    ['app:tag with space', /invalid reference format/],
    ['app\n', /invalid reference format/],
  ];
  it.each(invalid)('refuses %j', (input, message) => {
    expect(() => parseImageReference(input)).toThrow(message);
    expect(isValidImageReference(input)).toBe(false);
  });

  it('accepts tags of the grammar [\\w][\\w.-]{0,127}', () => {
    for (const tag of ['a', '_', '0', 'A', 'v1.2.3-rc.1_x', 'x'.repeat(128), `_${'.'.repeat(127)}`]) {
      expect(parseImageReference(`app:${tag}`).tag, tag).toBe(tag);
    }
  });
});

describe('digests (go-digest)', () => {
  const hex = (n: number) => 'a1'.repeat(n / 2);
  it.each([
    [`app@sha256:${hex(64)}`, true],
    [`app@sha512:${hex(128)}`, true],
    [`app:1@sha256:${hex(64)}`, true],
    [`app@sha256:${hex(64).toUpperCase()}`, false],
    [`app@sha256:${hex(62)}`, false],
    [`app@sha256:${hex(66)}`, false],
    [`app@sha256:${hex(128)}`, false],
    [`app@sha512:${hex(64)}`, false],
    [`app@sha384:${hex(96)}`, false],
    [`app@md5:${hex(32)}`, false],
    [`app@invaliddigest:${hex(64)}`, false],
    [`app@sha256:${hex(30)}`, false],
    [`app@sha256+b64:${hex(64)}`, false],
    ['app@sha256:', false],
  ])('%s → %s', (ref, ok) => {
    expect(isValidImageReference(ref)).toBe(ok);
  });
});

describe('length (RepositoryNameTotalLengthMax counts the remote name)', () => {
  it.each([
    [`example.com/${'a'.repeat(255)}:tag`, true],
    [`domain/${'a'.repeat(256)}:tag`, false],
    [`${'a/'.repeat(127)}a:tag-puts-this-over-max`, true],
    ['a'.repeat(247), true],
    ['a'.repeat(248), false],
    [`library/${'a'.repeat(247)}`, true],
    [`docker.io/${'a'.repeat(247)}`, true],
    [`docker.io/${'a'.repeat(248)}`, false],
    [`${'long-registry.example.com.'.repeat(20)}io/${'a'.repeat(255)}`, true],
    [`x/${'a'.repeat(253)}`, true],
    [`x/${'a'.repeat(254)}`, false],
  ])('%#', (ref, ok) => {
    expect(isValidImageReference(ref)).toBe(ok);
  });
});

describe('normalised forms and identity', () => {
  // familiar, full (FullName), and other spellings of one repository (TestParseRepositoryInfo's shape)
  const repos: [string, string, string[]][] = [
    [
      'ubuntu',
      'docker.io/library/ubuntu',
      ['library/ubuntu', 'docker.io/ubuntu', 'index.docker.io/library/ubuntu'],
    ],
    ['fooo/bar', 'docker.io/fooo/bar', ['index.docker.io/fooo/bar']],
    ['library/foo/bar', 'docker.io/library/foo/bar', []],
    ['other/library', 'docker.io/other/library', []],
    ['localhost/fooo', 'localhost/fooo', []],
    ['LOCALDOMAIN/fooo/bar', 'LOCALDOMAIN/fooo/bar', []],
    ['127.0.0.1:8000/private/moonbase', '127.0.0.1:8000/private/moonbase', []],
    ['example.com:8000/privatebasee', 'example.com:8000/privatebasee', []],
  ];
  it.each(repos)('%s', (familiar, full, others) => {
    for (const spelling of [familiar, full, ...others]) {
      const r = parseImageReference(spelling);
      expect(r.familiarName, spelling).toBe(familiar);
      expect(r.repository, spelling).toBe(full);
      expect(familiarImageReference(spelling)).toBe(familiar);
      expect(fullImageReference(spelling)).toBe(`${full}:latest`);
      expect(sameImage(spelling, familiar)).toBe(true);
    }
  });

  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:latest', 'docker.io/library/busybox:latest'],
    [`busybox@${SHA256}`, `docker.io/library/busybox@${SHA256}`],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox:1', 'docker.io/library/busybox:1'],
    ['gcr.io/library/busybox', 'gcr.io/library/busybox:latest'],
    [`gcr.io/library/busybox:latest@${SHA256}`, `gcr.io/library/busybox@${SHA256}`],
  ])('full form of %s (ParseDockerRef)', (input, expected) => {
    expect(normalizeImageReference(input, 'full')).toBe(expected);
    expect(normalizeImageReference(expected, 'full')).toBe(expected);
  });

  it('keeps tag and digest in the familiar form', () => {
    expect(familiarImageReference(`docker.io/library/busybox:latest@${SHA256}`)).toBe(
      `busybox:latest@${SHA256}`,
    );
    expect(familiarImageReference('index.docker.io/library/redis:7')).toBe('redis:7');
    expect(familiarImageReference('ghcr.io/org/app')).toBe('ghcr.io/org/app');
  });

  it('keeps the ambiguity of familiar names whose namespace looks like a registry', () => {
    expect(familiarImageReference('docker.io/my.org/app')).toBe('my.org/app');
    expect(parseImageReference('my.org/app').registry).toBe('my.org');
  });

  it('tells when two references are the same image', () => {
    expect(sameImage('redis', 'docker.io/library/redis')).toBe(true);
    expect(sameImage('redis', 'docker.io/library/redis:latest')).toBe(true);
    expect(sameImage('redis:7', 'index.docker.io/library/redis:7')).toBe(true);
    expect(sameImage(`redis:7@${SHA256}`, `docker.io/library/redis@${SHA256}`)).toBe(true);
    expect(sameImage('redis:7', 'redis')).toBe(false);
    expect(sameImage('redis', 'library/redis/x')).toBe(false);
    expect(sameImage('redis', 'ghcr.io/library/redis')).toBe(false);
    expect(sameImage('Docker.io/foo', 'docker.io/foo')).toBe(false);
    expect(sameImage('redis', 'Redis')).toBe(false);
  });

  it('gives Docker Hub as docker.io, and every spelling of it the same domain', () => {
    expect(imageRegistryHost('redis')).toBe('docker.io');
    expect(imageRegistryHost('index.docker.io/library/redis')).toBe('docker.io');
    expect(imageRegistryHost('ghcr.io/a/b')).toBe('ghcr.io');
    expect(imageRegistryHost('[::1]:5000/a')).toBe('[::1]:5000');
    for (const r of ['redis', 'docker.io/library/redis', 'index.docker.io/library/redis:latest']) {
      expect(parseImageReference(r).domain).toBeNull();
    }
  });
});

describe('properties', () => {
  const component = fc.stringMatching(/^[a-z0-9]{1,6}(?:(?:[._]|__|-{1,3})[a-z0-9]{1,6}){0,2}$/);
  const domain = fc.constantFrom(
    '',
    'docker.io/',
    'index.docker.io/',
    'ghcr.io/',
    'localhost/',
    'localhost:5000/',
    'Registry.Local:443/',
    '[fe80::1]:5000/',
  );
  const ref = fc
    .tuple(
      domain,
      fc.array(component, { minLength: 1, maxLength: 3 }),
      fc.option(fc.stringMatching(/^\w[\w.-]{0,15}$/)),
      fc.option(fc.constantFrom(SHA256, SHA512)),
    )
    .map(([d, p, t, g]) => `${d}${p.join('/')}${t !== null ? `:${t}` : ''}${g !== null ? `@${g}` : ''}`)
    .filter((r) => !/^[a-f0-9]{64}$/.test(r));

  it('every generated reference parses, and its normal forms name the same image', () => {
    fc.assert(
      fc.property(ref, (r) => {
        const full = fullImageReference(r);
        expect(fullImageReference(full)).toBe(full);
        expect(sameImage(r, full)).toBe(true);
        expect(parseImageReference(full).registry).toBe(parseImageReference(r).registry);
        // As in distribution/reference, the familiar form of a Docker Hub name whose namespace looks
        // like a registry (`docker.io/0.a/b` → `0.a/b`) is ambiguous; every other one round-trips.
        const familiar = familiarImageReference(r);
        const r0 = parseImageReference(r);
        fc.pre(r0.domain !== null || !/[.:]/.test(r0.path[0] ?? ''));
        expect(fullImageReference(familiar)).toBe(full);
        expect(familiarImageReference(familiar)).toBe(familiar);
        expect(sameImage(r, familiar) && sameImage(full, familiar)).toBe(true);
      }),
    );
  });

  it('a Docker Hub reference is the same image with or without docker.io/library', () => {
    fc.assert(
      fc.property(component, fc.option(fc.stringMatching(/^\w{1,8}$/)), (name, tag) => {
        const suffix = tag === null ? '' : `:${tag}`;
        const short = `${name}${suffix}`;
        for (const long of [
          `docker.io/library/${short}`,
          `index.docker.io/library/${short}`,
          `library/${short}`,
        ]) {
          expect(sameImage(short, long)).toBe(true);
          expect(parseImageReference(long).domain).toBe(parseImageReference(short).domain);
          expect(parseImageReference(long).path).toEqual(parseImageReference(short).path);
        }
      }),
    );
  });

  it('uppercase anywhere in the repository path is refused', () => {
    fc.assert(
      fc.property(fc.array(component, { minLength: 2, maxLength: 3 }), fc.nat(), (parts, k) => {
        const i = 1 + (k % (parts.length - 1));
        const upper = parts.map((p, j) => (j === i ? p.toUpperCase() : p));
        fc.pre(upper[i] !== parts[i]);
        expect(isValidImageReference(`ghcr.io/${upper.join('/')}`)).toBe(false);
      }),
    );
  });
});
