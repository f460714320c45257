import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  accessProblem,
  decodeOriginRequest,
  durationError,
  effectiveBastionMode,
  ipRulesProblem,
} from './origin-request.js';

/** The originRequest of a YAML snippet, as the YAML 1.2 core schema gives it to the decoder. */
const fromYaml = (yaml: string) => decodeOriginRequest(parseYaml(yaml), 'originRequest');

describe('decodeOriginRequest, config.yml (yaml.v3 into Go fields)', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['yes', true],
    ['Yes', true],
    ['YES', true],
    ['on', true],
    ['ON', true],
    ['y', true],
    ['Y', true],
    ['no', false],
    ['off', false],
    ['n', false],
    ['"yes"', true],
    ["'off'", false],
  ])('bastionMode: %s → %s', (value, expected) => {
    expect(fromYaml(`bastionMode: ${value}\n`)).toEqual({ settings: { bastionMode: expected }, errors: [] });
  });

  it.each(['"true"', "'false'", '1', '0', 'maybe', 'tRUE', 'yES', '[true]', '{a: 1}', '|\n  yes'])(
    'bastionMode: %s is a decoding error',
    (value) => {
      const { settings, errors } = fromYaml(`bastionMode: ${value}\n`);
      expect(settings.bastionMode).toBeUndefined();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^originRequest\.bastionMode: cannot unmarshal !!\w+[\s\S]* into bool$/);
    },
  );

  it('treats a YAML null as unset', () => {
    expect(fromYaml('bastionMode: ~\nnoTLSVerify:\naccess: null\n')).toEqual({ settings: {}, errors: [] });
    expect(fromYaml('')).toEqual({ settings: {}, errors: [] });
  });

  it('decodes durations, integers and strings as yaml.v3 does', () => {
    expect(fromYaml('connectTimeout: 30s\ntlsTimeout: 1m30.5s\nkeepAliveTimeout: "0"\n').errors).toEqual([]);
    expect(fromYaml('connectTimeout: 30\n').errors).toEqual([
      'originRequest.connectTimeout: cannot unmarshal !!int `30` into time.Duration',
    ]);
    expect(fromYaml('tcpKeepAlive: 30 seconds\n').errors[0]).toMatch(/into time\.Duration/);
    expect(fromYaml('keepAliveConnections: 100\nproxyPort: 8080\n').errors).toEqual([]);
    expect(fromYaml('keepAliveConnections: "100"\n').errors[0]).toMatch(/!!str `100` into int/);
    expect(fromYaml('proxyPort: -1\n').errors[0]).toMatch(/!!int `-1` into uint/);
    expect(fromYaml('httpHostHeader: 1234\noriginServerName: true\n').errors).toEqual([]);
    expect(fromYaml('caPool: [a]\n').errors[0]).toMatch(/cannot unmarshal !!seq into string/);
  });

  it('decodes ipRules and access', () => {
    const { settings, errors } = fromYaml(
      [
        'ipRules:',
        '  - prefix: 1.1.1.0/24',
        '    ports: [80, 443]',
        '    allow: true',
        '  - prefix: 0.0.0.0/0',
        'access:',
        '  required: yes',
        '  teamName: team',
        '  audTag: [aud1, 123]',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
    expect(settings).toEqual({
      ipRules: [
        { prefix: '1.1.1.0/24', ports: [80, 443], allow: true },
        { prefix: '0.0.0.0/0', ports: [], allow: false },
      ],
      access: { required: true, teamName: 'team', audTag: ['aud1', '123'], environment: '' },
    });
    expect(fromYaml('ipRules: 1.1.1.0/24\n').errors[0]).toMatch(
      /originRequest\.ipRules: cannot unmarshal !!str/,
    );
    expect(fromYaml('ipRules:\n  - ports: ["80"]\n').errors[0]).toMatch(/ipRules\[0\]\.ports\[0\]/);
    expect(fromYaml('access:\n  audTag: a\n').errors[0]).toMatch(/access\.audTag: cannot unmarshal !!str/);
    expect(fromYaml('access: true\n').errors[0]).toMatch(
      /cannot unmarshal !!bool `true` into config\.AccessConfig/,
    );
  });

  it('refuses an originRequest that is not a mapping', () => {
    expect(fromYaml('[1]').errors[0]).toMatch(/^originRequest: cannot unmarshal !!seq/);
  });
});

describe('decodeOriginRequest, remote JSON (encoding/json)', () => {
  const json = (v: unknown) => decodeOriginRequest(v, 'originRequest', 'json');
  it('takes only JSON booleans for bools, and integer seconds for durations', () => {
    expect(json({ bastionMode: true, connectTimeout: 30 })).toEqual({
      settings: { bastionMode: true },
      errors: [],
    });
    expect(json({ bastionMode: 'yes' }).errors[0]).toMatch(/cannot unmarshal string .* of type bool/);
    expect(json({ connectTimeout: '30s' }).errors[0]).toMatch(
      /strconv\.ParseInt: parsing "\\"30s\\"": invalid syntax/,
    );
    expect(json({ keepAliveConnections: 1.5 }).errors[0]).toMatch(/cannot unmarshal number/);
    expect(json({ httpHostHeader: 5 }).errors[0]).toMatch(/of type string/);
  });

  it('matches keys case-insensitively, as encoding/json does', () => {
    expect(json({ BastionMode: true }).settings).toEqual({ bastionMode: true });
    expect(decodeOriginRequest({ BastionMode: true }, 'o').settings).toEqual({});
  });
});

describe('time.ParseDuration', () => {
  it.each(['0', '1s', '-1.5h', '+2m', '1h2m3s', '.5s', '5.s', '1ns', '1us', '1µs', '1μs', '300ms'])(
    '%s is valid',
    (s) => expect(durationError(s)).toBeNull(),
  );
  it.each([
    ['', 'time: invalid duration ""'],
    ['1', 'time: missing unit in duration "1"'],
    ['1sec', 'time: unknown unit "sec" in duration "1sec"'],
    ['.s', 'time: invalid duration ".s"'],
    ['s', 'time: invalid duration "s"'],
    ['1s ', 'time: unknown unit "s " in duration "1s "'],
    ['-', 'time: invalid duration "-"'],
    ['9999999999h', 'time: invalid duration "9999999999h"'],
  ])('%j: %s', (s, message) => expect(durationError(s)).toBe(message));
});

describe('effective settings, ipRules and access checks', () => {
  it('lets the rule override the top-level bastionMode', () => {
    expect(effectiveBastionMode({}, { bastionMode: true })).toBe(true);
    expect(effectiveBastionMode({ bastionMode: false }, { bastionMode: true })).toBe(false);
    expect(effectiveBastionMode({ bastionMode: true }, {})).toBe(true);
    expect(effectiveBastionMode({}, {})).toBe(false);
  });

  it.each([
    [[{ prefix: '10.0.0.0/8', ports: [], allow: true }], null],
    [[{ prefix: '2001:db8::/32', ports: [22, 1, 65535], allow: false }], null],
    [[{ prefix: null, ports: [], allow: true }], 'no prefix provided'],
    [[{ prefix: '', ports: [], allow: true }], 'no prefix provided'],
    [[{ prefix: '10.0.0.1', ports: [], allow: true }], 'unable to parse cidr: 10.0.0.1'],
    [[{ prefix: '10.0.0.0/40', ports: [], allow: true }], 'unable to parse cidr: 10.0.0.0/40'],
    [
      [{ prefix: '10.0.0.0/8', ports: [80, 0], allow: true }],
      'invalid port 0, needs to be between 1 and 65535',
    ],
    [
      [{ prefix: '10.0.0.0/8', ports: [65536], allow: true }],
      'invalid port 65536, needs to be between 1 and 65535',
    ],
  ])('ipRules %j → %s', (rules, problem) => {
    expect(ipRulesProblem(rules)).toBe(problem);
  });

  it('needs a team name only when required with audience tags (TestParseAccessConfig)', () => {
    const a = (required: boolean, teamName: string, audTag: string[]) =>
      accessProblem({ required, teamName, audTag, environment: '' });
    expect(a(true, 'team', [])).toBeNull();
    expect(a(false, '', [])).toBeNull();
    expect(a(true, '', [])).toBeNull();
    expect(a(true, 'team', ['a'])).toBeNull();
    expect(a(false, '', ['a'])).toBeNull();
    expect(a(true, '', ['a'])).toBe('access.TeamName cannot be blank when access.audTags are present');
    expect(accessProblem(undefined)).toBeNull();
  });
});
