/**
 * config.yml files checked the way cloudflared loads them, in the shape of cloudflared's
 * TestParseIngress table (raw YAML → accepted, or the error), with this project's own cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIngressConfig } from './ingress-document.js';
import { serviceKind } from './ingress-service.js';
import { compilePathRegex, ingressProblems, validateIngress } from './ingress-validate.js';

const check = (yaml: string): string[] => validateIngress(parseIngressConfig(yaml).rules);
const CATCH_ALL = '- service: http_status:404\n';
const CATCH_ALL_1 = ' - service: http_status:404\n';

describe('config.yml as cloudflared validates it', () => {
  const accepted: [string, string][] = [
    [
      'several rules',
      'ingress:\n - hostname: tunnel1.example.com\n   service: https://localhost:8000\n - hostname: "*"\n   service: https://localhost:8001\n',
    ],
    ['extra keys', 'ingress:\n - hostname: "*"\n   service: https://localhost:8000\nextraKey: extraValue\n'],
    ['ws service', 'ingress:\n - service: wss://localhost:8000\n'],
    ['hostname omitted', 'ingress:\n - service: https://localhost:8000\n'],
    [
      'unicode hostname',
      `ingress:\n - hostname: môô.cloudflare.com\n   service: https://localhost:8000\n${CATCH_ALL_1}`,
    ],
    [
      'hostname IDNA rejects',
      `ingress:\n - hostname: a_b.cloudflare.com\n   service: http://x:1\n${CATCH_ALL_1}`,
    ],
    [
      'TCP services',
      `ingress:\n- hostname: tcp.foo.com\n  service: tcp://127.0.0.1\n- hostname: tcp2.foo.com\n  service: tcp://localhost:8000\n${CATCH_ALL}`,
    ],
    [
      'ssh, rdp, smb, ftp',
      'ingress:\n- hostname: a.b\n  service: ssh://127.0.0.1\n- hostname: c.d\n  service: rdp://127.0.0.1\n- hostname: e.f\n  service: smb://127.0.0.1\n- service: ftp://127.0.0.1\n',
    ],
    [
      'unix sockets',
      `ingress:\n- hostname: a.b\n  service: unix:/run/a.sock\n- hostname: c.d\n  service: unix+tls:relative.sock\n${CATCH_ALL}`,
    ],
    [
      'status 100 and 999',
      'ingress:\n- hostname: a.b\n  service: http_status:100\n- service: http_status:+999\n',
    ],
    ['hello world', 'ingress:\n- hostname: a.b\n  service: hello-world\n- service: hello_world\n'],
    [
      'socks proxy with ipRules',
      `ingress:\n- hostname: socks.foo.com\n  service: socks-proxy\n  originRequest:\n    ipRules:\n      - prefix: 1.1.1.0/24\n        ports: [80, 443]\n        allow: true\n      - prefix: 0.0.0.0/0\n        allow: false\n${CATCH_ALL}`,
    ],
    ['bastion service', `ingress:\n- hostname: bastion.foo.com\n  service: bastion\n${CATCH_ALL}`],
    [
      'URL not needed with bastionMode',
      `ingress:\n- hostname: bastion.foo.com\n  originRequest:\n    bastionMode: true\n${CATCH_ALL}`,
    ],
    [
      'bastionMode: yes',
      `ingress:\n- hostname: bastion.foo.com\n  originRequest:\n    bastionMode: yes\n${CATCH_ALL}`,
    ],
    [
      'top-level bastionMode makes service optional',
      'originRequest:\n  bastionMode: on\ningress:\n- hostname: a.foo.com\n- service: http_status:404\n',
    ],
    [
      'access required without team name',
      `ingress:\n- hostname: a.b\n  service: http://x:1\n  originRequest:\n    access:\n      required: true\n${CATCH_ALL}`,
    ],
    [
      'access with team and tags',
      `ingress:\n- hostname: a.b\n  service: http://x:1\n  originRequest:\n    access: {required: true, teamName: t, audTag: [x]}\n${CATCH_ALL}`,
    ],
    [
      'audTag without team but not required',
      `ingress:\n- hostname: a.b\n  service: http://x:1\n  originRequest:\n    access: {audTag: [x]}\n${CATCH_ALL}`,
    ],
    [
      'invalid ipRules on a non-socks service',
      `ingress:\n- hostname: a.b\n  service: http://x:1\n  originRequest:\n    ipRules: [{prefix: nonsense}]\n${CATCH_ALL}`,
    ],
    ['uppercase scheme', `ingress:\n- hostname: a.b\n  service: HTTP://localhost:80\n${CATCH_ALL}`],
    [
      'non-ASCII escape in host',
      `ingress:\n- hostname: a.b\n  service: http://caf%C3%A9.lan:80\n${CATCH_ALL}`,
    ],
    ['IPv6 origin', `ingress:\n- hostname: a.b\n  service: http://[::1]:8080\n${CATCH_ALL}`],
    ['query on the origin', `ingress:\n- hostname: a.b\n  service: http://x:1?a=b\n${CATCH_ALL}`],
    [
      'empty path is no path',
      'ingress:\n- hostname: a.b\n  service: http://x:1\n- path: ""\n  service: http_status:404\n',
    ],
    [
      'star with empty path is a catch-all',
      'ingress:\n- hostname: a.b\n  service: http://x:1\n- hostname: "*"\n  path:\n  service: http_status:404\n',
    ],
    [
      'RE2-only regex',
      `ingress:\n- hostname: a.b\n  path: (?P<v>v[0-9]+)/\\Q*\\E(?i)x\n  service: http://x:1\n${CATCH_ALL}`,
    ],
    ['wildcard subdomain', `ingress:\n- hostname: "*.example.com"\n  service: http://x:1\n${CATCH_ALL}`],
    [
      'top-level durations',
      'originRequest:\n  connectTimeout: 10s\n  noTLSVerify: true\ningress:\n- service: http://x:1\n',
    ],
  ];
  it.each(accepted)('accepts: %s', (_name, yaml) => {
    expect(check(yaml)).toEqual([]);
  });

  const refused: [string, string, string | RegExp][] = [
    ['empty file', '', "The config file doesn't contain any ingress rules"],
    [
      'invalid service',
      'ingress:\n - hostname: "*"\n   service: https://local host:8000\n',
      'parse "https://local host:8000": invalid character " " in host name',
    ],
    [
      'last rule not catch-all',
      'ingress:\n - hostname: example.com\n   service: https://localhost:8000\n',
      /^The last ingress rule must match all URLs/,
    ],
    [
      'first rule catch-all',
      'ingress:\n - service: https://localhost:8000\n - hostname: example.com\n   service: https://localhost:8000\n',
      /^Rule #1 is matching the hostname '', but this will match every hostname/,
    ],
    [
      'catch-all with a path',
      'ingress:\n - service: https://localhost:8001\n   path: /subpath1/(.*)/subpath2\n',
      /^The last ingress rule must match all URLs/,
    ],
    [
      'invalid regex',
      `ingress:\n - hostname: example.com\n   service: https://localhost:8000\n   path: "*/subpath2"\n${CATCH_ALL_1}`,
      'Rule #1 has an invalid regex: error parsing regexp: missing argument to repetition operator: `*`',
    ],
    [
      'no scheme',
      'ingress:\n - service: localhost:8000\n',
      'localhost:8000 is an invalid address, please make sure it has a scheme and a hostname',
    ],
    [
      'wildcard not at start',
      'ingress:\n - hostname: "test.*.example.com"\n   service: https://localhost:8000\n',
      /at most one wildcard/,
    ],
    [
      'service path',
      'ingress:\n - service: https://localhost:8000/static/\n',
      /don't support proxying to a different path/,
    ],
    [
      'status not a number',
      'ingress:\n - service: http_status:asdf\n',
      'invalid HTTP status code: strconv.Atoi: parsing "asdf": invalid syntax',
    ],
    ['status out of range', 'ingress:\n - service: http_status:8080\n', 'invalid HTTP status code: 8080'],
    [
      'status beyond int64',
      'ingress:\n - service: http_status:99999999999999999999\n',
      'invalid HTTP status code: strconv.Atoi: parsing "99999999999999999999": value out of range',
    ],
    ['status with a space', 'ingress:\n - service: "http_status: 404"\n', /invalid syntax/],
    [
      'hostname with port',
      'ingress:\n - hostname: "test.example.com:443"\n   service: https://localhost:8000\n - hostname: "*"\n   service: https://localhost:8001\n',
      'Hostname cannot contain a port',
    ],
    [
      'bastionMode quoted "true"',
      `ingress:\n- hostname: a.b\n  originRequest:\n    bastionMode: "true"\n${CATCH_ALL}`,
      'ingress[0].originRequest.bastionMode: cannot unmarshal !!str `true` into bool',
    ],
    [
      'bastionMode overridden off',
      'originRequest:\n  bastionMode: true\ningress:\n- hostname: a.b\n  originRequest: {bastionMode: false}\n- service: http_status:404\n',
      / is an invalid address, please make sure it has a scheme/,
    ],
    [
      'top-level decoding error',
      'originRequest:\n  connectTimeout: 30\ningress:\n- service: http://x:1\n',
      'originRequest.connectTimeout: cannot unmarshal !!int `30` into time.Duration',
    ],
    [
      'socks proxy with a bad CIDR',
      `ingress:\n- hostname: s.b\n  service: socks-proxy\n  originRequest:\n    ipRules: [{prefix: 1.1.1.1}]\n${CATCH_ALL}`,
      'unable to create ip rule for socks-proxy: unable to parse cidr: 1.1.1.1',
    ],
    [
      'socks proxy with a bad port',
      `ingress:\n- hostname: s.b\n  service: socks-proxy\n  originRequest:\n    ipRules: [{prefix: 10.0.0.0/8, ports: [0]}]\n${CATCH_ALL}`,
      'unable to create ip rule for socks-proxy: invalid port 0, needs to be between 1 and 65535',
    ],
    [
      'socks proxy rule without prefix',
      `ingress:\n- hostname: s.b\n  service: socks-proxy\n  originRequest:\n    ipRules: [{allow: true}]\n${CATCH_ALL}`,
      'unable to create ip rule for socks-proxy: no prefix provided',
    ],
    [
      'access tags without team',
      `ingress:\n- hostname: a.b\n  service: http://x:1\n  originRequest:\n    access: {required: true, audTag: [x]}\n${CATCH_ALL}`,
      'access.TeamName cannot be blank when access.audTags are present',
    ],
    [
      'ASCII escape in origin host',
      `ingress:\n- hostname: a.b\n  service: http://%6Cocalhost:80\n${CATCH_ALL}`,
      'parse "http://%6Cocalhost:80": invalid URL escape "%6C"',
    ],
    [
      'broken escape in origin host',
      `ingress:\n- hostname: a.b\n  service: http://a%zz:80\n${CATCH_ALL}`,
      'parse "http://a%zz:80": invalid URL escape "%zz"',
    ],
    [
      'lookahead',
      `ingress:\n- hostname: a.b\n  path: ^/(?=api)\n  service: http://x:1\n${CATCH_ALL}`,
      'Rule #1 has an invalid regex: error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    ],
    [
      'backreference',
      `ingress:\n- hostname: a.b\n  path: (a)\\1\n  service: http://x:1\n${CATCH_ALL}`,
      'Rule #1 has an invalid regex: error parsing regexp: invalid escape sequence: `\\1`',
    ],
    [
      'second rule',
      `ingress:\n- hostname: a.b\n  service: http://x:1\n- hostname: c.d\n  path: "["\n  service: http://x:1\n${CATCH_ALL}`,
      'Rule #2 has an invalid regex: error parsing regexp: missing closing ]: `[`',
    ],
  ];
  it.each(refused)('refuses: %s', (_name, yaml, message) => {
    const [first] = check(yaml);
    if (typeof message === 'string') expect(first).toBe(message);
    else expect(first).toMatch(message);
  });

  it('reports decoding errors before validation, as cloudflared fails to load the file first', () => {
    const problems = ingressProblems(
      parseIngressConfig(
        'ingress:\n- hostname: a.b:1\n  service: http://x:1\n- hostname: c.d\n  service: http://x:1\n  originRequest: {noTLSVerify: maybe}\n- service: http_status:404\n',
      ).rules,
    );
    expect(problems.map((p) => [p.index, p.field])).toEqual([
      [1, 'originRequest'],
      [0, 'hostname'],
    ]);
  });

  it('applies explicit defaults and JSON decoding for remote configurations', () => {
    const rules = [
      { hostname: 'ssh.example.com', path: null, service: '' },
      { hostname: null, path: null, service: 'http_status:404' },
    ];
    expect(validateIngress(rules, { originRequest: { bastionMode: true }, format: 'json' })).toEqual([]);
    expect(validateIngress(rules, { originRequest: { bastionMode: 'yes' }, format: 'json' })[0]).toMatch(
      /^json: cannot unmarshal string/,
    );
    expect(validateIngress(rules, { originRequest: { bastionMode: 'yes' } })).toEqual([]);
  });

  it('decodes rules of unknown origin leniently, rules read from config.yml as yaml.v3', () => {
    const base = { hostname: null, path: null, service: 'http://x:1' };
    const built = [{ ...base, originRequest: { connectTimeout: 30 } }];
    expect(validateIngress(built)).toEqual([]);
    expect(validateIngress(built, { format: 'yaml' })[0]).toMatch(/into time\.Duration/);
    expect(validateIngress([{ ...base, originRequest: { noTLSVerify: 'maybe' } }])[0]).toMatch(/into bool/);
    expect(check('ingress:\n- service: http://x:1\n  originRequest: {connectTimeout: 30}\n')[0]).toMatch(
      /into time\.Duration/,
    );
  });

  it('reads string fields as yaml.v3 fills Go strings (the text as written)', () => {
    const { rules } = parseIngressConfig('ingress:\n- hostname: 1.10\n  path: 0x10\n  service: yes\n');
    expect(rules[0]).toMatchObject({ hostname: '1.10', path: '0x10', service: 'yes' });
  });

  it('attaches the top-level originRequest to every rule only when present', () => {
    const withDefaults = parseIngressConfig('originRequest: {bastionMode: true}\ningress:\n- service: x\n');
    expect(withDefaults.originRequest).toEqual({ bastionMode: true });
    expect(withDefaults.rules[0]?.defaults).toEqual({ bastionMode: true });
    expect(parseIngressConfig('ingress:\n- service: x\n').rules[0]).not.toHaveProperty('defaults');
  });
});

describe('path regexes with Go RE2 semantics', () => {
  const re2Only = [
    '(?P<name>x)',
    '(?i)^/api',
    '^/a(?i)b',
    '\\Q.*\\E',
    '(?U)a+',
    '(?s:.)',
    '\\pL+',
    '\\p{Greek}',
    '[[:alpha:]]+',
    '\\z',
    '\\A/',
    'x{1000}',
    '\\x{1F600}',
  ];
  it.each(re2Only)('accepts %s (whatever JavaScript thinks of it)', (source) => {
    expect(compilePathRegex(source)).not.toHaveProperty('error');
  });

  const refused = [
    '(?=x)',
    '(?!x)',
    '(?<=x)',
    '(?<!x)',
    '(a)\\1',
    '\\Z',
    'a**',
    'a++',
    'x{1001}',
    '(?#c)',
    '\\e',
    '\\8',
    '[z-a]',
    '(?P=n)',
  ];
  it.each(refused)('refuses %s (JavaScript would take most of them)', (source) => {
    expect(compilePathRegex(source)).toHaveProperty('error');
  });

  it('matches with RE2 semantics, unanchored', () => {
    const t = (source: string, path: string) => {
      const re = compilePathRegex(source);
      if ('error' in re) throw new Error(re.error);
      return re.test(path);
    };
    expect(t('(?i)/API', '/v1/api')).toBe(true);
    expect(t('^/api$', '/api\n')).toBe(false);
    expect(t('a$', 'a\n')).toBe(false);
    expect(t('(?m)^b$', 'a\nb')).toBe(true);
    expect(t('^.$', '\n')).toBe(false);
    expect(t('[^a]', '\n')).toBe(true);
    expect(t('\\Q/a.b\\E', '/a.b')).toBe(true);
    expect(t('\\Q/a.b\\E', '/axb')).toBe(false);
    expect(t('\\bword\\b', '/a word/')).toBe(true);
    expect(t('^/é+$', '/éé')).toBe(true);
    expect(t('\\d', '٣')).toBe(false);
  });

  it('never throws while compiling arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        const re = compilePathRegex(s);
        if (!('error' in re)) expect(typeof re.test('/x')).toBe('boolean');
      }),
    );
  });
});

describe('serviceKind', () => {
  it.each([
    ['http://x:1', 'http'],
    ['WSS://x', 'http'],
    ['tcp://x:1', 'tcp'],
    ['ssh://x', 'tcp'],
    ['unix:/a', 'unix'],
    ['unix+tls:/a', 'unix+tls'],
    ['http_status:404', 'http_status'],
    ['hello-world', 'hello_world'],
    ['socks-proxy', 'socks-proxy'],
    ['bastion', 'bastion'],
    ['nope', null],
  ])('%s → %s', (service, kind) => {
    expect(serviceKind(service)).toBe(kind);
  });

  it('takes bastion mode from the rule or the defaults', () => {
    expect(serviceKind('', undefined, { bastionMode: true })).toBe('bastion');
    expect(serviceKind('http://x:1', { bastionMode: 'yes' })).toBe('bastion');
    expect(serviceKind('http://x:1', { bastionMode: false }, { bastionMode: true })).toBe('http');
  });
});
