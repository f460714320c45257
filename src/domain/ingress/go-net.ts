/**
 * The parts of Go's `net/url`, `net` and `net/netip` that cloudflared's ingress code leans on,
 * re-implemented from their documented behaviour (Go 1.26, as cloudflared 2026.8 is built with):
 * `url.Parse` (scheme, authority, host escapes, bracketed IPv6 literals, path decoding),
 * `URL.Hostname`, `net.SplitHostPort`, `netip.ParseAddr` and `net.ParseCIDR`. Error texts follow
 * Go's where cloudflared passes them through to the user.
 */

/** What `url.Parse` yields that ingress cares about; `host` and `path` are unescaped. */
export interface GoUrl {
  /** Lowercased, as `url.Parse` stores it. */
  scheme: string;
  opaque: string;
  host: string;
  /** Decoded path as UTF-8 bytes (`URL.Path`, which may hold any bytes). */
  pathBytes: Uint8Array;
  /** Decoded path as text (invalid UTF-8 shown as U+FFFD). */
  path: string;
}

const quote = (s: string): string => JSON.stringify(s);
const HEX = /^[0-9a-fA-F]$/;
const utf8 = new TextEncoder();
const text = new TextDecoder('utf-8');

type Mode = 'host' | 'zone' | 'path' | 'userinfo' | 'fragment';

/** Characters `shouldEscape` lets through unescaped in a host (besides alphanumerics and `-_.~`). */
const HOST_SAFE = new Set('!$&\'()*+,;=:[]<>"'.split(''));

function hostShouldEscape(c: string): boolean {
  if (/[a-zA-Z0-9]/.test(c)) return false;
  if (HOST_SAFE.has(c)) return false;
  return !'-_.~'.includes(c);
}

class GoError extends Error {}

/** `url.unescape`: checks escapes (and, in a host, the characters) and decodes to bytes. */
function unescapeUrl(s: string, mode: Mode): Uint8Array {
  for (let i = 0; i < s.length; ) {
    const c = s[i] as string;
    if (c === '%') {
      const a = s[i + 1] ?? '';
      const b = s[i + 2] ?? '';
      if (i + 2 >= s.length || !HEX.test(a) || !HEX.test(b)) {
        throw new GoError(`invalid URL escape ${quote(s.slice(i, i + 3))}`);
      }
      const triplet = s.slice(i, i + 3);
      if (mode === 'host' && Number.parseInt(a, 16) < 8 && triplet !== '%25') {
        throw new GoError(`invalid URL escape ${quote(triplet)}`);
      }
      if (mode === 'zone') {
        const v = String.fromCharCode(Number.parseInt(a + b, 16));
        if (triplet !== '%25' && v !== ' ' && hostShouldEscape(v)) {
          throw new GoError(`invalid URL escape ${quote(triplet)}`);
        }
      }
      i += 3;
      continue;
    }
    if ((mode === 'host' || mode === 'zone') && c.charCodeAt(0) < 0x80 && hostShouldEscape(c)) {
      throw new GoError(`invalid character ${quote(c)} in host name`);
    }
    i++;
  }
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    if (s[i] === '%') {
      out.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const cp = s.codePointAt(i) as number;
      const ch = String.fromCodePoint(cp);
      for (const byte of utf8.encode(ch)) out.push(byte);
      i += ch.length;
    }
  }
  return Uint8Array.from(out);
}

const decode = (s: string, mode: Mode): string => text.decode(unescapeUrl(s, mode));

/** `validOptionalPort`: empty, or `:` followed by digits only. */
const validOptionalPort = (port: string): boolean => port === '' || /^:[0-9]*$/.test(port);

/** `url.getScheme`. */
function getScheme(raw: string): [scheme: string, rest: string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new GoError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

const USERINFO = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

/** `url.parseHost` (with Go 1.25.2+'s check that a bracketed host is an IPv6 address). */
function parseHost(host: string): string {
  const open = host.lastIndexOf('[');
  if (open > 0) throw new GoError('invalid IP-literal');
  if (open === 0) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new GoError("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new GoError(`invalid port ${quote(colonPort)} after host`);
    const literal = host.slice(1, close);
    const zone = literal.indexOf('%25');
    const unescaped =
      zone >= 0
        ? decode(literal.slice(0, zone), 'host') + decode(literal.slice(zone), 'zone')
        : decode(literal, 'host');
    const addr = parseAddr(unescaped);
    if ('error' in addr) throw new GoError(`invalid host: ${addr.error}`);
    if (addr.version === 4) throw new GoError('invalid IP-literal');
    return `[${unescaped}]${colonPort}`;
  }
  const colon = host.lastIndexOf(':');
  if (colon !== -1) {
    const colonPort = host.slice(colon);
    if (!validOptionalPort(colonPort)) throw new GoError(`invalid port ${quote(colonPort)} after host`);
  }
  return decode(host, 'host');
}

/** `url.Parse`; errors carry Go's text (`parse "…": …`). */
export function parseGoUrl(raw: string): GoUrl | { error: string } {
  const hash = raw.indexOf('#');
  const u = hash === -1 ? raw : raw.slice(0, hash);
  try {
    const url = parse(u);
    if (hash !== -1) {
      try {
        unescapeUrl(raw.slice(hash + 1), 'fragment');
      } catch (e) {
        return { error: `parse ${quote(raw)}: ${(e as Error).message}` };
      }
    }
    return url;
  } catch (e) {
    if (!(e instanceof GoError)) throw e;
    return { error: `parse ${quote(u)}: ${e.message}` };
  }
}

function parse(raw: string): GoUrl {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Go refuses exactly the ASCII control bytes.
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new GoError('net/url: invalid control character in URL');
  const url: GoUrl = { scheme: '', opaque: '', host: '', pathBytes: new Uint8Array(), path: '' };
  if (raw === '*') return { ...url, path: '*', pathBytes: utf8.encode('*') };
  let [scheme, rest] = getScheme(raw);
  url.scheme = scheme.toLowerCase();
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) rest = rest.slice(0, -1);
  else rest = rest.split('?', 1)[0] as string;
  if (!rest.startsWith('/')) {
    if (url.scheme !== '') return { ...url, opaque: rest };
    const segment = rest.split('/', 1)[0] as string;
    if (segment.includes(':')) throw new GoError('first path segment in URL cannot contain colon');
  }
  if ((url.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) [authority, rest] = [authority.slice(0, slash), authority.slice(slash)];
    const at = authority.lastIndexOf('@');
    url.host = parseHost(at < 0 ? authority : authority.slice(at + 1));
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!USERINFO.test(userinfo)) throw new GoError('net/url: invalid userinfo');
      for (const part of userinfo.split(':', 2)) unescapeUrl(part, 'userinfo');
    }
  }
  url.pathBytes = unescapeUrl(rest, 'path');
  url.path = text.decode(url.pathBytes);
  return url;
}

/** `URL.Hostname()`: the host without its port and without IPv6 brackets. */
export function goHostname(url: GoUrl): string {
  let host = url.host;
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && validOptionalPort(host.slice(colon))) host = host.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host;
}

/** `net.SplitHostPort`: the host and port, or Go's error when `hostport` has no port. */
export function splitHostPort(hostport: string): { host: string; port: string } | { error: string } {
  const addrErr = (why: string) => ({ error: `address ${hostport}: ${why}` });
  const i = hostport.lastIndexOf(':');
  if (i < 0) return addrErr('missing port in address');
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) return addrErr("missing ']' in address");
    if (end + 1 === hostport.length) return addrErr('missing port in address');
    if (end + 1 !== i) {
      return addrErr(hostport[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
    }
    host = hostport.slice(1, end);
    [j, k] = [1, end + 1];
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return addrErr('too many colons in address');
  }
  if (hostport.slice(j).includes('[')) return addrErr("unexpected '[' in address");
  if (hostport.slice(k).includes(']')) return addrErr("unexpected ']' in address");
  return { host, port: hostport.slice(i + 1) };
}

/** A parsed IP address: its version, 4 or 16 bytes, and an IPv6 zone. */
export interface IpAddr {
  version: 4 | 6;
  bytes: number[];
  zone: string;
}

function parseIPv4(s: string): number[] | string {
  const fields = s.split('.');
  if (fields.length !== 4) return 'IPv4 address too short';
  const bytes: number[] = [];
  for (const f of fields) {
    if (f === '') return 'IPv4 field must have at least one digit';
    if (!/^[0-9]+$/.test(f)) return 'unexpected character';
    if (f.length > 1 && f.startsWith('0')) return 'IPv4 field has octet with leading zero';
    const n = Number(f);
    if (n > 255) return 'IPv4 field has value >255';
    bytes.push(n);
  }
  return bytes;
}

function parseIPv6(s: string): number[] | string {
  let body = s;
  const groups: number[] = [];
  let ellipsis = -1;
  if (body.startsWith('::')) {
    ellipsis = 0;
    body = body.slice(2);
    if (body === '') return new Array(16).fill(0);
  }
  while (body !== '') {
    const m = /^[0-9a-fA-F]{1,4}/.exec(body);
    if (!m) return 'each colon-separated field must have at least one digit';
    const after = body.slice(m[0].length);
    if (after.startsWith('.')) {
      // An embedded IPv4 address must end the address and fit in the last 32 bits.
      if (ellipsis < 0 && groups.length !== 6) return 'embedded IPv4 address must replace the final 2 fields';
      if (groups.length > 6) return 'too many hex fields to fit an embedded IPv4 at the end of the address';
      const v4 = parseIPv4(body);
      if (typeof v4 === 'string') return v4;
      groups.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      body = '';
      break;
    }
    if (/^[0-9a-fA-F]/.test(after)) return 'each group must have 4 or less digits';
    groups.push(Number.parseInt(m[0], 16));
    body = after;
    if (body === '') break;
    if (!body.startsWith(':')) return 'unexpected character, want colon';
    if (body === ':') return 'colon must be followed by more characters';
    body = body.slice(1);
    if (body.startsWith(':')) {
      if (ellipsis >= 0) return 'multiple :: in address';
      ellipsis = groups.length;
      body = body.slice(1);
      if (body === '') break;
    }
    if (groups.length >= 8) return 'trailing garbage after address';
  }
  if (ellipsis >= 0 && groups.length === 8) return 'the :: must expand to at least one field of zeros';
  if (ellipsis < 0 && groups.length !== 8) return 'address string too short';
  const full = [...groups];
  if (ellipsis >= 0) full.splice(ellipsis, 0, ...new Array(8 - groups.length).fill(0));
  return full.flatMap((g) => [g >> 8, g & 0xff]);
}

/** `netip.ParseAddr`: dotted IPv4 (no leading zeros) or IPv6 with an optional `%zone`. */
export function parseAddr(s: string): IpAddr | { error: string } {
  const fail = (why: string) => ({ error: `ParseAddr(${quote(s)}): ${why}` });
  if (s === '') return fail('unable to parse IP');
  for (const c of s) {
    if (c === '.') {
      const v4 = parseIPv4(s);
      return typeof v4 === 'string' ? fail(v4) : { version: 4, bytes: v4, zone: '' };
    }
    if (c === ':') {
      const pct = s.indexOf('%');
      const zone = pct === -1 ? '' : s.slice(pct + 1);
      if (pct !== -1 && zone === '') return fail('zone must be a non-empty string');
      const v6 = parseIPv6(pct === -1 ? s : s.slice(0, pct));
      return typeof v6 === 'string' ? fail(v6) : { version: 6, bytes: v6, zone };
    }
    if (c === '%') return fail('missing IPv6 address');
  }
  return fail('unable to parse IP');
}

/** `net.ParseCIDR`: `address/bits` with no zone and bits within the address size. */
export function parseCidr(s: string): { addr: IpAddr; bits: number } | { error: string } {
  const fail = { error: `invalid CIDR address: ${s}` };
  const slash = s.indexOf('/');
  if (slash < 0) return fail;
  const addr = parseAddr(s.slice(0, slash));
  if ('error' in addr || addr.zone !== '') return fail;
  const mask = s.slice(slash + 1);
  if (!/^[0-9]+$/.test(mask) || mask.length > 8) return fail;
  const bits = Number(mask);
  if (bits > (addr.version === 4 ? 32 : 128)) return fail;
  return { addr, bits };
}
