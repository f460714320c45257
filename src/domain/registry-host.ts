import { validationError } from './errors.js';
import { parseImageReference } from './image-reference.js';
import { parseAddr } from './ingress/go-net.js';

/**
 * Registry hosts: their canonical spelling, and the rule that keeps images from loopback, link-local
 * and private registries out unless an admin allowed the host (`allowedRegistries`). The engine pulls
 * from wherever a reference points, so without the rule anyone who may deploy could make the host
 * talk to services on its own network. The rule judges the name as written; a public DNS name that
 * resolves to a private address is not caught (the engine resolves it, not the panel).
 */

/** The registry Docker Hub images live on when a reference names no registry. */
export const DOCKER_HUB = 'docker.io';

const HUB_ALIASES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
  'https://index.docker.io/v1/',
  'https://index.docker.io/v1',
]);

/**
 * Canonical registry host: lower-cased, scheme and trailing path dropped; every Docker Hub alias
 * (`index.docker.io`, `registry-1.docker.io`, `https://index.docker.io/v1/`) becomes `docker.io`.
 */
export function canonicalRegistryHost(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed === '' || HUB_ALIASES.has(trimmed)) return DOCKER_HUB;
  const bare = trimmed.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  return HUB_ALIASES.has(bare) ? DOCKER_HUB : bare;
}

/** `host:port` / `[v6]:port` → the host part without brackets and the port (or null). */
export function splitRegistryHost(host: string): { name: string; port: string | null } {
  const h = canonicalRegistryHost(host);
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    const rest = h.slice(end + 1);
    return { name: h.slice(1, end), port: rest.startsWith(':') ? rest.slice(1) : null };
  }
  const colon = h.lastIndexOf(':');
  return colon === -1 ? { name: h, port: null } : { name: h.slice(0, colon), port: h.slice(colon + 1) };
}

/**
 * An IPv4 address in any form `inet_aton` (and so glibc's resolver) accepts: 1–4 parts, each
 * decimal, octal (`0…`) or hex (`0x…`): `127.1`, `0x7f000001`, `2130706433` are all 127.0.0.1.
 */
function inetAton(name: string): number[] | null {
  const parts = name.split('.');
  if (parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/.test(p)) n = p.length === 2 ? 0 : Number.parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) n = p.length === 1 ? 0 : Number.parseInt(p.slice(1), 8);
    else if (/^[1-9][0-9]*$/.test(p)) n = Number(p);
    else return null;
    nums.push(n);
  }
  const last = nums.pop() as number;
  if (nums.some((n) => n > 255) || last >= 256 ** (4 - nums.length)) return null;
  const bytes = [...nums];
  for (let i = 3 - nums.length; i >= 0; i--) bytes.push(Math.floor(last / 256 ** i) % 256);
  return bytes;
}

/** What kind of non-public IPv4 address this is, or null for a public one. */
function ipv4Kind(b: number[]): string | null {
  const [a = 0, c = 0] = b;
  if (a === 127) return 'a loopback address';
  if (a === 0) return 'an unspecified ("this network") address';
  if (a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168)) return 'a private address';
  if (a === 169 && c === 254) return 'a link-local address';
  if (a === 100 && c >= 64 && c <= 127) return 'a shared (carrier-grade NAT) address';
  return null;
}

/** What kind of non-public IPv6 address this is, or null for a public one. */
function ipv6Kind(b: number[]): string | null {
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 15) && b[15] === 1) return 'a loopback address';
  if (zero(0, 16)) return 'an unspecified address';
  // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible form reach the IPv4 address.
  if (zero(0, 10) && ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0)))
    return ipv4Kind(b.slice(12));
  if (((b[0] ?? 0) & 0xfe) === 0xfc) return 'a unique local address';
  if (b[0] === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80) return 'a link-local address';
  return null;
}

/** Names that never leave the local network (RFC 6761 `localhost`, RFC 6762 `.local`, RFC 8375, ICANN `.internal`). */
const LOCAL_SUFFIXES = ['.localhost', '.local', '.home.arpa', '.internal'];

/**
 * Why `host` is not a public registry (`"a loopback address"`, `"a single-label name"`, …), or
 * null when it is one. Docker Hub is public whatever alias names it.
 */
export function privateRegistryReason(host: string): string | null {
  if (canonicalRegistryHost(host) === DOCKER_HUB) return null;
  const { name } = splitRegistryHost(host);
  if (name.includes(':')) {
    const addr = parseAddr(name);
    return 'error' in addr ? 'an unparsable IPv6 address' : ipv6Kind(addr.bytes);
  }
  if (name === 'localhost') return 'a loopback name';
  if (LOCAL_SUFFIXES.some((s) => name.endsWith(s))) return 'a local-network name';
  // Every label numeric (or hex): the resolver reads it as an address, however odd its spelling.
  if (name.split('.').every((l) => /^(0x[0-9a-f]*|[0-9]+)$/.test(l))) {
    const v4 = inetAton(name);
    return v4 ? ipv4Kind(v4) : 'an unparsable numeric address';
  }
  // `registry:5000` resolves through /etc/hosts or the local search domain: somewhere on this network.
  if (!name.includes('.')) return 'a single-label name';
  return null;
}

/**
 * True when `host` is in `allowed`: the same host and port, or an entry without a port, which
 * allows every port of its host.
 */
export function isRegistryAllowed(host: string, allowed: readonly string[]): boolean {
  const want = splitRegistryHost(host);
  return allowed.some((entry) => {
    const e = splitRegistryHost(entry);
    return e.name === want.name && (e.port === null || e.port === want.port);
  });
}

/**
 * Refuse (400, detail on `image`) an image whose registry is loopback, link-local, private or a
 * local name, unless the host is in `allowed`. Invalid references throw the parser's own 400.
 */
export function assertRegistryAllowed(image: string, allowed: readonly string[]): void {
  const ref = parseImageReference(image);
  const host = canonicalRegistryHost(ref.registry);
  const reason = privateRegistryReason(host);
  if (reason === null || isRegistryAllowed(host, allowed)) return;
  const message = `image ${image} comes from registry ${host}, ${reason}; images from loopback, link-local and private registries are refused unless an admin allows the registry in settings (allowedRegistries)`;
  throw validationError(message, [{ path: 'image', message }]);
}
