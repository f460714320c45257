import { parseCidr } from './go-net.js';

/**
 * `originRequest` as cloudflared decodes and checks it (`config.OriginRequestConfig`,
 * `ingress/config.go`, `ipaccess`). Values are the JavaScript form of the YAML (YAML 1.2 core
 * schema) or JSON; decoding follows gopkg.in/yaml.v3 for config.yml and encoding/json for remote
 * configurations.
 */

/**
 * Where the values came from: config.yml (yaml.v3 rules), a remote JSON configuration
 * (encoding/json rules), or `any` when unknown — then a value either decoder takes is accepted.
 */
export type ConfigFormat = 'yaml' | 'json' | 'any';

/** One `ipRules` entry as decoded. */
export interface IpRuleConfig {
  prefix: string | null;
  ports: number[];
  allow: boolean;
}

/** `access` as decoded. */
export interface AccessConfig {
  required: boolean;
  teamName: string;
  audTag: string[];
  environment: string;
}

/** The fields the validation reads; an absent key stays undefined (Go's nil pointer). */
export interface OriginRequestSettings {
  bastionMode?: boolean;
  ipRules?: IpRuleConfig[];
  access?: AccessConfig;
}

/** A decoded `originRequest`, or the decoding errors (which stop cloudflared loading the config). */
export interface DecodedOriginRequest {
  settings: OriginRequestSettings;
  errors: string[];
}

type Kind = 'bool' | 'duration' | 'int' | 'uint' | 'string' | 'ipRules' | 'access';

const FIELDS: Record<string, Kind> = {
  connectTimeout: 'duration',
  tlsTimeout: 'duration',
  tcpKeepAlive: 'duration',
  noHappyEyeballs: 'bool',
  keepAliveConnections: 'int',
  keepAliveTimeout: 'duration',
  httpHostHeader: 'string',
  originServerName: 'string',
  matchSNItoHost: 'bool',
  caPool: 'string',
  noTLSVerify: 'bool',
  disableChunkedEncoding: 'bool',
  bastionMode: 'bool',
  proxyAddress: 'string',
  proxyPort: 'uint',
  proxyType: 'string',
  ipRules: 'ipRules',
  http2Origin: 'bool',
  access: 'access',
};

/** yaml.v3 also takes these YAML 1.1 words when the target is a bool (plain or quoted). */
const YAML11_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const YAML11_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

class DecodeError extends Error {}

function yamlTag(v: unknown): string {
  if (Array.isArray(v)) return '!!seq';
  if (isMapping(v)) return '!!map';
  if (typeof v === 'boolean') return '!!bool';
  if (typeof v === 'number' || typeof v === 'bigint') {
    return Number.isInteger(Number(v)) ? '!!int' : '!!float';
  }
  return '!!str';
}

function typeError(format: ConfigFormat, path: string, v: unknown, goType: string): DecodeError {
  if (format === 'json') {
    const jsonType = Array.isArray(v) ? 'array' : isMapping(v) ? 'object' : typeof v;
    return new DecodeError(
      `json: cannot unmarshal ${jsonType} into Go struct field ${path} of type ${goType}`,
    );
  }
  const tag = yamlTag(v);
  const shown = tag === '!!seq' || tag === '!!map' ? '' : ` \`${String(v)}\``;
  return new DecodeError(`${path}: cannot unmarshal ${tag}${shown} into ${goType}`);
}

const UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 6e10,
  h: 3.6e12,
};

/** Go's `time.ParseDuration`: an error message, or null when `s` is a valid duration. */
export function durationError(s: string): string | null {
  const bad = `time: invalid duration ${JSON.stringify(s)}`;
  let rest = s;
  if (rest.startsWith('-') || rest.startsWith('+')) rest = rest.slice(1);
  if (rest === '0') return null;
  if (rest === '') return bad;
  let total = 0;
  while (rest !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(rest) as RegExpExecArray;
    const [whole, int = '', frac] = m;
    if (!/^[0-9.]/.test(rest)) return bad;
    if (int === '' && (frac === undefined || frac === '')) return bad;
    rest = rest.slice(whole.length);
    const unit = /^[^0-9.]*/.exec(rest)?.[0] ?? '';
    if (unit === '') return `time: missing unit in duration ${JSON.stringify(s)}`;
    const scale = UNITS[unit];
    if (scale === undefined)
      return `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(s)}`;
    rest = rest.slice(unit.length);
    total += Number(`${int || '0'}.${frac || '0'}`) * scale;
    if (total > 2 ** 63 - 1) return bad;
  }
  return null;
}

function decodeScalar(format: ConfigFormat, kind: Kind, path: string, v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (format === 'any') {
    try {
      return decodeScalar('yaml', kind, path, v);
    } catch (e) {
      try {
        return decodeScalar('json', kind, path, v);
      } catch {
        throw e;
      }
    }
  }
  switch (kind) {
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (format === 'yaml' && typeof v === 'string') {
        if (YAML11_TRUE.has(v)) return true;
        if (YAML11_FALSE.has(v)) return false;
      }
      throw typeError(format, path, v, 'bool');
    case 'duration':
      if (format === 'json') {
        if (typeof v === 'number' && Number.isInteger(v)) return v;
        throw new DecodeError(
          `${path}: strconv.ParseInt: parsing ${JSON.stringify(JSON.stringify(v))}: invalid syntax`,
        );
      }
      if (typeof v === 'string' && durationError(v) === null) return v;
      throw typeError(format, path, v, 'time.Duration');
    case 'int':
    case 'uint': {
      const goType = kind === 'int' ? 'int' : 'uint';
      const ok =
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (format === 'yaml' || Number.isInteger(v)) &&
        (kind === 'int' || v >= 0);
      if (!ok) throw typeError(format, path, v, goType);
      return Math.trunc(v as number);
    }
    case 'string':
      if (typeof v === 'string') return v;
      if (format === 'yaml' && (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint')) {
        return String(v);
      }
      throw typeError(format, path, v, 'string');
    default:
      return v;
  }
}

function decodeIpRules(format: ConfigFormat, path: string, v: unknown): IpRuleConfig[] | undefined {
  if (v === null || v === undefined) return undefined;
  if (!Array.isArray(v)) throw typeError(format, path, v, '[]config.IngressIPRule');
  return v.map((item, i) => {
    const at = `${path}[${i}]`;
    if (item === null || item === undefined) return { prefix: null, ports: [], allow: false };
    if (!isMapping(item)) throw typeError(format, at, item, 'config.IngressIPRule');
    const prefix = decodeScalar(format, 'string', `${at}.prefix`, field(format, item, 'prefix'));
    const rawPorts = field(format, item, 'ports');
    let ports: number[] = [];
    if (rawPorts !== null && rawPorts !== undefined) {
      if (!Array.isArray(rawPorts)) throw typeError(format, `${at}.ports`, rawPorts, '[]int');
      ports = rawPorts.map((p, j) => (decodeScalar(format, 'int', `${at}.ports[${j}]`, p) as number) ?? 0);
    }
    const allow = decodeScalar(format, 'bool', `${at}.allow`, field(format, item, 'allow')) as
      | boolean
      | undefined;
    return { prefix: (prefix as string | undefined) ?? null, ports, allow: allow ?? false };
  });
}

function decodeAccess(format: ConfigFormat, path: string, v: unknown): AccessConfig | undefined {
  if (v === null || v === undefined) return undefined;
  if (!isMapping(v)) throw typeError(format, path, v, 'config.AccessConfig');
  const str = (key: string) =>
    (decodeScalar(format, 'string', `${path}.${key}`, field(format, v, key)) as string) ?? '';
  const rawAud = field(format, v, 'audTag');
  let audTag: string[] = [];
  if (rawAud !== null && rawAud !== undefined) {
    if (!Array.isArray(rawAud)) throw typeError(format, `${path}.audTag`, rawAud, '[]string');
    audTag = rawAud.map(
      (a, i) => (decodeScalar(format, 'string', `${path}.audTag[${i}]`, a) as string) ?? '',
    );
  }
  const required = decodeScalar(format, 'bool', `${path}.required`, field(format, v, 'required')) as
    | boolean
    | undefined;
  return { required: required ?? false, teamName: str('teamName'), audTag, environment: str('environment') };
}

/** A key as Go finds it: exact for yaml.v3, case-insensitive for encoding/json (and `any`). */
function field(format: ConfigFormat, obj: Record<string, unknown>, key: string): unknown {
  if (format === 'yaml' || key in obj) return obj[key];
  const lower = key.toLowerCase();
  const found = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : obj[found];
}

/**
 * Decodes an `originRequest` value; `path` names it in messages (e.g. `ingress[0].originRequest`).
 * Unknown keys are ignored (cloudflared only warns about them).
 */
export function decodeOriginRequest(
  raw: unknown,
  path: string,
  format: ConfigFormat = 'yaml',
): DecodedOriginRequest {
  const settings: OriginRequestSettings = {};
  const errors: string[] = [];
  if (raw === null || raw === undefined) return { settings, errors };
  if (!isMapping(raw)) {
    errors.push(typeError(format, path, raw, 'config.OriginRequestConfig').message);
    return { settings, errors };
  }
  for (const [key, kind] of Object.entries(FIELDS)) {
    const value = field(format, raw, key);
    const at = `${path}.${key}`;
    try {
      if (kind === 'ipRules') settings.ipRules = decodeIpRules(format, at, value);
      else if (kind === 'access') settings.access = decodeAccess(format, at, value);
      else {
        const decoded = decodeScalar(format, kind, at, value);
        if (key === 'bastionMode') settings.bastionMode = decoded as boolean | undefined;
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      errors.push(e.message);
    }
  }
  for (const k of Object.keys(settings) as (keyof OriginRequestSettings)[]) {
    if (settings[k] === undefined) delete settings[k];
  }
  return { settings, errors };
}

/** `setConfig`: the rule's own value where set, else the top-level default (bastion mode only here). */
export function effectiveBastionMode(rule: OriginRequestSettings, defaults: OriginRequestSettings): boolean {
  return rule.bastionMode ?? defaults.bastionMode ?? false;
}

/** `ipaccess.NewRuleByCIDR` for each rule: cloudflared's error, or null when every rule is valid. */
export function ipRulesProblem(rules: readonly IpRuleConfig[]): string | null {
  for (const rule of rules) {
    if (rule.prefix === null || rule.prefix === '') return 'no prefix provided';
    if ('error' in parseCidr(rule.prefix)) return `unable to parse cidr: ${rule.prefix}`;
    for (const port of [...rule.ports].sort((a, b) => a - b)) {
      if (port < 1 || port > 65535) return `invalid port ${port}, needs to be between 1 and 65535`;
    }
  }
  return null;
}

/** `validateAccessConfiguration`: with `required`, audience tags need a team name. */
export function accessProblem(access: AccessConfig | undefined): string | null {
  if (!access?.required) return null;
  if (access.teamName === '' && access.audTag.length > 0) {
    return 'access.TeamName cannot be blank when access.audTags are present';
  }
  return null;
}
