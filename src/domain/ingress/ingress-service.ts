/**
 * cloudflared's checks on a rule's `service` and `hostname`, in the order and with the messages of
 * `ingress/ingress.go` (`validateIngress`, `validateHostname`). Go's `url.Parse`,
 * `net.SplitHostPort` and `strconv.Atoi` are modelled in `go-net.ts` and below.
 */
import { goHostname, parseGoUrl, splitHostPort } from './go-net.js';
import type { ConfigFormat, OriginRequestSettings } from './origin-request.js';
import { decodeOriginRequest, effectiveBastionMode, ipRulesProblem } from './origin-request.js';

/** `strconv.Atoi` on a 64-bit platform: the value, or Go's error text. */
function atoi(s: string): bigint | string {
  const q = JSON.stringify(s);
  if (!/^[+-]?[0-9]+$/.test(s)) return `strconv.Atoi: parsing ${q}: invalid syntax`;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) {
    return `strconv.Atoi: parsing ${q}: value out of range`;
  }
  return n;
}

/** The services cloudflared proxies over HTTP; any other URL scheme is TCP over WebSocket. */
export const HTTP_SCHEMES: ReadonlySet<string> = new Set(['http', 'https', 'ws', 'wss']);

/** What kind of origin a valid `service` is (cloudflared's `OriginService` implementations). */
export type ServiceKind =
  | 'unix'
  | 'unix+tls'
  | 'http_status'
  | 'hello_world'
  | 'socks-proxy'
  | 'bastion'
  | 'http'
  | 'tcp';

/** The kind of origin cloudflared makes of `service`, or null where it would reject it. */
export function serviceKind(
  service: string,
  originRequest?: unknown,
  defaults?: unknown,
  format: ConfigFormat = 'any',
): ServiceKind | null {
  if (serviceProblem(service, originRequest, defaults, format) !== null) return null;
  if (service.startsWith('unix:')) return 'unix';
  if (service.startsWith('unix+tls:')) return 'unix+tls';
  if (service.startsWith('http_status:')) return 'http_status';
  if (service === 'hello_world' || service === 'hello-world') return 'hello_world';
  if (service === 'socks-proxy') return 'socks-proxy';
  const own = decodeOriginRequest(originRequest, 'originRequest', format).settings;
  const top = decodeOriginRequest(defaults, 'originRequest', format).settings;
  if (service === 'bastion' || effectiveBastionMode(own, top)) return 'bastion';
  const url = parseGoUrl(service);
  return 'error' in url || !HTTP_SCHEMES.has(url.scheme) ? 'tcp' : 'http';
}

/**
 * cloudflared's error for a rule's `service`, or null when valid. `originRequest` is the rule's
 * own (its `ipRules` are checked for `socks-proxy`), `defaults` the top-level one: a `bastionMode`
 * from either (the rule's wins) makes the service optional. `format` says how their values decode
 * (see `ConfigFormat`; `any` by default).
 */
export function serviceProblem(
  service: string,
  originRequest?: unknown,
  defaults?: unknown,
  format: ConfigFormat = 'any',
): string | null {
  if (service.startsWith('unix:') || service.startsWith('unix+tls:')) return null;
  if (service.startsWith('http_status:')) {
    const code = atoi(service.slice('http_status:'.length));
    if (typeof code === 'string') return `invalid HTTP status code: ${code}`;
    return code < 100n || code > 999n ? `invalid HTTP status code: ${code}` : null;
  }
  if (service === 'hello_world' || service === 'hello-world') return null;
  const own: OriginRequestSettings = decodeOriginRequest(originRequest, 'originRequest', format).settings;
  if (service === 'socks-proxy') {
    const problem = ipRulesProblem(own.ipRules ?? []);
    return problem === null ? null : `unable to create ip rule for ${service}: ${problem}`;
  }
  const top = decodeOriginRequest(defaults, 'originRequest', format).settings;
  if (service === 'bastion' || effectiveBastionMode(own, top)) return null;
  const url = parseGoUrl(service);
  if ('error' in url) return url.error;
  if (url.scheme === '' || goHostname(url) === '') {
    return `${service} is an invalid address, please make sure it has a scheme and a hostname`;
  }
  if (url.path !== '') {
    return `${service} is an invalid address, ingress rules don't support proxying to a different path on the origin service. The path will be the same as the eyeball request's path`;
  }
  return null;
}

/** True when Go's `net.SplitHostPort` would succeed, i.e. cloudflared sees a port in the hostname. */
export function hasPort(hostname: string): boolean {
  return !('error' in splitHostPort(hostname));
}
