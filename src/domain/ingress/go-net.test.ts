import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goHostname, parseAddr, parseCidr, parseGoUrl, splitHostPort } from './go-net.js';

const ok = (raw: string) => {
  const u = parseGoUrl(raw);
  if ('error' in u) throw new Error(u.error);
  return { scheme: u.scheme, host: u.host, hostname: goHostname(u), path: u.path, opaque: u.opaque };
};
const err = (raw: string) => {
  const u = parseGoUrl(raw);
  return 'error' in u ? u.error : null;
};

describe('parseGoUrl (url.Parse)', () => {
  it.each([
    ['http://localhost:8000', 'http', 'localhost:8000', 'localhost', ''],
    ['HTTPS://Example.COM', 'https', 'Example.COM', 'Example.COM', ''],
    ['tcp://127.0.0.1', 'tcp', '127.0.0.1', '127.0.0.1', ''],
    ['ssh://user:pa%20ss@host:22', 'ssh', 'host:22', 'host', ''],
    ['http://[::1]:8080', 'http', '[::1]:8080', '::1', ''],
    ['http://[fe80::1%25eth0]:80', 'http', '[fe80::1%eth0]:80', 'fe80::1%eth0', ''],
    ['http://[::ffff:1.2.3.4]', 'http', '[::ffff:1.2.3.4]', '::ffff:1.2.3.4', ''],
    ['http://caf%C3%A9.local', 'http', 'café.local', 'café.local', ''],
    ['http://a%25b', 'http', 'a%b', 'a%b', ''],
    ["http://a!$&'()*+,;=b", 'http', "a!$&'()*+,;=b", "a!$&'()*+,;=b", ''],
    ['http://host:', 'http', 'host:', 'host', ''],
    ['http://host/', 'http', 'host', 'host', '/'],
    ['http://host/a%2Fb', 'http', 'host', 'host', '/a/b'],
    ['http://host?q=1#frag', 'http', 'host', 'host', ''],
    ['http:///path', 'http', '', '', '/path'],
    ['//host/p', '', 'host', 'host', '/p'],
  ])('%s', (raw, scheme, host, hostname, path) => {
    expect(ok(raw)).toMatchObject({ scheme, host, hostname, path });
  });

  it('keeps rootless forms as opaque', () => {
    expect(ok('localhost:8000')).toMatchObject({ scheme: 'localhost', opaque: '8000', hostname: '' });
    expect(ok('mailto:a@b')).toMatchObject({ scheme: 'mailto', opaque: 'a@b' });
    expect(ok('relative/path')).toMatchObject({ scheme: '', path: 'relative/path' });
  });

  it.each([
    [
      'http://%6c%6f%63%61%6c%68%6f%73%74',
      'parse "http://%6c%6f%63%61%6c%68%6f%73%74": invalid URL escape "%6c"',
    ],
    ['http://a%zzb', 'parse "http://a%zzb": invalid URL escape "%zz"'],
    ['http://a%4', 'parse "http://a%4": invalid URL escape "%4"'],
    ['https://local host:8000', 'parse "https://local host:8000": invalid character " " in host name'],
    ['http://a{b}', 'parse "http://a{b}": invalid character "{" in host name'],
    ['http://a|b', 'parse "http://a|b": invalid character "|" in host name'],
    ['http://localhost:abc', 'parse "http://localhost:abc": invalid port ":abc" after host'],
    ['http://[::1', `parse "http://[::1": missing ']' in host`],
    ['http://[::1]x', 'parse "http://[::1]x": invalid port "x" after host'],
    ['http://a[::1]', 'parse "http://a[::1]": invalid IP-literal'],
    ['http://[1.2.3.4]', 'parse "http://[1.2.3.4]": invalid IP-literal'],
    ['http://a b@host', 'parse "http://a b@host": net/url: invalid userinfo'],
    ['http://host/%zz', 'parse "http://host/%zz": invalid URL escape "%zz"'],
    ['http://host#%zz', 'parse "http://host#%zz": invalid URL escape "%zz"'],
    [':8080', 'parse ":8080": missing protocol scheme'],
    ['1localhost:80', 'parse "1localhost:80": first path segment in URL cannot contain colon'],
    ['http://a\nb', 'parse "http://a\\nb": net/url: invalid control character in URL'],
  ])('%j fails as Go does', (raw, message) => {
    expect(err(raw)).toBe(message);
  });

  it('refuses bracketed hosts that are not IPv6', () => {
    expect(err('http://[example.com]:80')).toMatch(
      /^parse "http:\/\/\[example.com\]:80": invalid host: ParseAddr/,
    );
    expect(err('http://[::1%25]')).toMatch(/zone must be a non-empty string/);
  });

  it('never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const u = parseGoUrl(s);
        expect(typeof ('error' in u ? u.error : u.path)).toBe('string');
      }),
    );
  });
});

describe('splitHostPort (net.SplitHostPort)', () => {
  it.each([
    ['a.example.com:443', 'a.example.com', '443'],
    [':80', '', '80'],
    ['host:', 'host', ''],
    ['[::1]:80', '::1', '80'],
    ['*:8080', '*', '8080'],
  ])('%s splits', (hostport, host, port) => {
    expect(splitHostPort(hostport)).toEqual({ host, port });
  });

  it.each([
    ['a.example.com', 'missing port in address'],
    ['', 'missing port in address'],
    ['[::1]', 'missing port in address'],
    ['::1', 'too many colons in address'],
    ['a:b:80', 'too many colons in address'],
    ['[::1]::80', 'too many colons in address'],
    ['[::1]x:80', 'missing port in address'],
    ['[a[b]:80', "unexpected '[' in address"],
    ['a:[', "unexpected '[' in address"],
    ['a]:80', "unexpected ']' in address"],
    ['[::1', "missing ']' in address"],
  ])('%j has no port: %s', (hostport, why) => {
    expect(splitHostPort(hostport)).toEqual({ error: `address ${hostport}: ${why}` });
  });
});

describe('parseAddr / parseCidr (netip.ParseAddr, net.ParseCIDR)', () => {
  it.each([
    ['1.2.3.4', 4],
    ['0.0.0.0', 4],
    ['255.255.255.255', 4],
    ['::', 6],
    ['::1', 6],
    ['2001:db8::', 6],
    ['1:2:3:4:5:6:7:8', 6],
    ['1:2:3:4:5:6:1.2.3.4', 6],
    ['::ffff:10.0.0.1', 6],
    ['fe80::1%eth0', 6],
  ])('%s is IPv%d', (s, version) => {
    expect(parseAddr(s)).toMatchObject({ version });
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '256.1.1.1',
    '1..2.3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::8',
    '1::2::3',
    '12345::',
    ':1',
    '1:',
    '1:2:3:4:5:1.2.3.4',
    'fe80::1%',
    '%eth0',
    'localhost',
  ])('%j is not an address', (s) => {
    expect(parseAddr(s)).toHaveProperty('error');
  });

  it.each([
    ['1.1.1.0/24', true],
    ['0.0.0.0/0', true],
    ['10.0.0.1/32', true],
    ['10.0.0.1/33', false],
    ['2001:db8::/32', true],
    ['::/0', true],
    ['::/129', false],
    ['::ffff:1.2.3.4/96', true],
    ['10.0.0.0', false],
    ['10.0.0.0/', false],
    ['10.0.0.0/-1', false],
    ['10.0.0.0/08', true],
    ['fe80::1%eth0/64', false],
    ['1.2.3.256/8', false],
    ['example.com/8', false],
  ])('%s → %s', (s, valid) => {
    expect('error' in parseCidr(s)).toBe(!valid);
  });
});
