/**
 * cloudflared's checks on a rule's `service` and `hostname`, in the order and with the messages of
 * `ingress/ingress.go` (`validateIngress`, `validateHostname`). Go's `url.Parse` and
 * `net.SplitHostPort` are approximated by the small parsers below.
 */

/** Services cloudflared accepts by exact name. */
const NAMED_SERVICES = new Set(['hello_world', 'hello-world', 'socks-proxy', 'bastion']);

// biome-ignore lint/suspicious/noControlCharactersInRegex: Go's url.Parse rejects exactly these bytes.
const CONTROL_CHARS = /[\x00-\x1f\x7f]/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):([\s\S]*)$/;
const INVALID_HOST_CHARS = /[ {}|\\^`]/;

interface ParsedUrl {
  scheme: string;
  hostname: string;
  path: string;
}

/** Approximates Go's `url.Parse` far enough to get scheme, hostname and path (or Go's error text). */
function parseGoUrl(raw: string): ParsedUrl | { error: string } {
  const quoted = JSON.stringify(raw);
  if (CONTROL_CHARS.test(raw)) return { error: `parse ${quoted}: net/url: invalid control character in URL` };
  const noFragment = raw.split('#', 1)[0] ?? '';
  const m = SCHEME.exec(noFragment);
  if (!m) return { scheme: '', hostname: '', path: noFragment };
  const scheme = m[1] ?? '';
  const rest = (m[2] ?? '').split('?', 1)[0] ?? '';
  if (!rest.startsWith('//')) return { scheme, hostname: '', path: rest };
  const afterSlashes = rest.slice(2);
  const slash = afterSlashes.indexOf('/');
  const authority = slash === -1 ? afterSlashes : afterSlashes.slice(0, slash);
  const path = slash === -1 ? '' : afterSlashes.slice(slash);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  let hostname: string;
  let portPart: string;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close === -1) return { error: `parse ${quoted}: missing ']' in host` };
    hostname = host.slice(1, close);
    portPart = host.slice(close + 1);
  } else {
    const colon = host.lastIndexOf(':');
    hostname = colon === -1 ? host : host.slice(0, colon);
    portPart = colon === -1 ? '' : host.slice(colon);
  }
  if (portPart !== '' && !/^:\d*$/.test(portPart)) {
    return { error: `parse ${quoted}: invalid port ${JSON.stringify(portPart)} after host` };
  }
  if (INVALID_HOST_CHARS.test(hostname)) {
    return { error: `parse ${quoted}: invalid character ${JSON.stringify(hostname)} in host name` };
  }
  return { scheme, hostname, path };
}

/** cloudflared's error for a rule's `service` (and `originRequest.bastionMode`), or null when valid. */
export function serviceProblem(service: string, originRequest?: unknown): string | null {
  if (service.startsWith('unix:') || service.startsWith('unix+tls:')) return null;
  if (service.startsWith('http_status:')) {
    const code = service.slice('http_status:'.length);
    if (!/^[+-]?\d{1,18}$/.test(code)) {
      return `invalid HTTP status code: strconv.Atoi: parsing ${JSON.stringify(code)}: invalid syntax`;
    }
    const n = Number(code);
    return n < 100 || n > 999 ? `invalid HTTP status code: ${n}` : null;
  }
  if (NAMED_SERVICES.has(service)) return null;
  const bastionMode =
    typeof originRequest === 'object' &&
    originRequest !== null &&
    (originRequest as Record<string, unknown>).bastionMode === true;
  if (bastionMode) return null;
  const url = parseGoUrl(service);
  if ('error' in url) return url.error;
  if (url.scheme === '' || url.hostname === '') {
    return `${service} is an invalid address, please make sure it has a scheme and a hostname`;
  }
  if (url.path !== '') {
    return `${service} is an invalid address, ingress rules don't support proxying to a different path on the origin service. The path will be the same as the eyeball request's path`;
  }
  return null;
}

/** True when Go's `net.SplitHostPort` would succeed, i.e. cloudflared sees a port in the hostname. */
export function hasPort(hostname: string): boolean {
  const colon = hostname.lastIndexOf(':');
  if (colon === -1) return false;
  if (hostname.startsWith('[')) {
    const close = hostname.indexOf(']');
    return close !== -1 && close + 1 === colon && !/[[\]]/.test(hostname.slice(colon + 1));
  }
  const host = hostname.slice(0, colon);
  return !host.includes(':') && !/[[\]]/.test(host) && !hostname.slice(colon + 1).includes(']');
}
