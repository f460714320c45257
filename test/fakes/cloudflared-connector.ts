// Fake `cloudflared tunnel run`: a connector that really proxies HTTP by the ingress rules of a locally-managed
// config.yml, for zero-downtime release tests. Run it as
//   node --import tsx test/fakes/cloudflared-connector.ts tunnel --config <config.yml> \
//     --metrics 127.0.0.1:<port> --grace-period 5s --fake-listen 127.0.0.1:<port> run [<tunnel>]
// `--fake-listen` is FAKE-ONLY: the real connector dials out to Cloudflare's edge; this one instead serves the
// requests "the edge" (test/support/fake-edge.ts, or a test) sends to that address. Port 0 picks a free port; the
// bound addresses are logged as "Starting metrics server on <addr>/metrics" (as cloudflared logs it) and
// "[fake] Serving edge requests on <addr>".
//
// Behaviour, from cloudflared @ d1df7985 (see reference/integration-facts.md §5 for the ingress rules):
// - config.yml is read once at start (no live reload: cloudflared traps only SIGTERM/SIGINT, `tunnel/signal.go`).
//   Rules are matched top to bottom, first match wins, port stripped from Host, hostname exact or `*.suffix`
//   (`ingress.go matchHost`), `path` an unanchored RE2 regex on the decoded path without the query; services
//   `http(s)://host:port` and `http_status:NNN`; `originRequest.httpHostHeader` sets Host and X-Forwarded-Host.
//   No `ingress` at all → 503 for every request. Other services (unix:, ssh:, hello_world…) make it exit 1.
// - Origin unreachable before a response → 502 with `cf-cloudflared-response-meta: {"src":"cloudflared"}`
//   (`connection/http2.go WriteErrorResponse`); origin responses carry `{"src":"origin"}`. Bodies stream both ways.
// - Metrics server: `/ready` → 503 `{"status":503,"readyConnections":0,"connectorId":"…"}` until "connected",
//   200 with readyConnections 4 after $FAKE_CLOUDFLARED_READY_DELAY_MS (default 300) from start (`metrics/
//   readiness.go`); `/metrics` (gauge `cloudflared_tunnel_ha_connections`); `/healthcheck` → "OK".
// - SIGTERM/SIGINT: /ready → 503 at once (cloudflared unregisters its connections, so the edge stops routing to
//   it). In-flight requests run on. A new request is no longer proxied: it gets 503 with the fake-only header
//   `x-fake-cloudflared: unregistered` and never reaches an origin — the stand-in for "the edge would not have
//   sent it here", which the fake edge retries elsewhere. The process exits 0 (listener gone) once nothing is in
//   flight and no request has come for $FAKE_CLOUDFLARED_DRAIN_QUIET_MS (default 200: the edge, which polls
//   /ready, has evidently stopped sending) — or at grace expiry, whatever is in flight. A second signal kills the
//   process with that signal (cloudflared stops catching signals after the first). DIFFERENCE: real cloudflared
//   waits out the whole grace period even when idle (`quic_connection.go`, `cmd.go waitToShutdown`);
//   FAKE_CLOUDFLARED_FULL_GRACE=1 does that.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { RE2JS } from 're2js';
import YAML from 'yaml';

type OriginRequest = { httpHostHeader?: string; noTLSVerify?: boolean };
type Service = { kind: 'status'; code: number } | { kind: 'http'; url: URL };
interface Rule {
  hostname: string;
  path: RE2JS | null;
  service: Service;
  hostHeader: string | null;
  noTLSVerify: boolean;
}

const ts = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const log = (level: 'INF' | 'WRN' | 'ERR', msg: string) => process.stderr.write(`${ts()} ${level} ${msg}\n`);
const fail = (msg: string): never => {
  log('ERR', msg);
  process.exit(1);
};

// ---- arguments: flags may come before or after `tunnel` / `run`, as `--name value` or `--name=value`.
const flags = new Map<string, string>();
const positional: string[] = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (!a.startsWith('--')) {
    positional.push(a);
    continue;
  }
  const eq = a.indexOf('=');
  if (eq !== -1) flags.set(a.slice(2, eq), a.slice(eq + 1));
  else flags.set(a.slice(2), argv[++i] ?? '');
}
if (positional[0] !== 'tunnel' || positional[1] !== 'run') {
  fail('fake cloudflared-connector only implements `tunnel [flags] run [<tunnel>]`');
}
const configPath = flags.get('config') ?? fail('--config <config.yml> is required by the fake');

/** Go `time.ParseDuration` for the units cloudflared's flags use. */
function parseDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 36e5 };
  if (text === '0') return 0;
  let ms = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g, (_, n: string, u: string) => {
    ms += Number(n) * units[u]!;
    return '';
  });
  if (rest !== '' || text === '') fail(`invalid value "${text}" for flag -grace-period: parse error`);
  return ms;
}
const gracePeriodMs = parseDuration(flags.get('grace-period') ?? '30s');
if (gracePeriodMs > 180_000) fail('grace-period must be equal or less than 3m0s');

function splitAddress(addr: string, flag: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(addr);
  if (!m) return fail(`--${flag} ${addr}: want host:port`);
  return { host: m[1]!.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(m[2]) };
}
const metricsAddr = splitAddress(flags.get('metrics') ?? '127.0.0.1:0', 'metrics');
const listenAddr = splitAddress(
  flags.get('fake-listen') ?? fail('--fake-listen host:port (fake-only) is required'),
  'fake-listen',
);

// ---- config.yml → rules, with cloudflared's start-up validation messages.
function parseService(text: unknown, n: number): Service {
  const s = String(text ?? '');
  const status = /^http_status:(\d+)$/.exec(s);
  if (status) {
    const code = Number(status[1]);
    if (code < 100 || code > 999) fail(`invalid HTTP status code: ${code}`);
    return { kind: 'status', code };
  }
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return fail(`${s} is an invalid address, please make sure it has a scheme and a hostname`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(
      `Rule #${n}: service ${s} is not supported by the fake connector (only http(s):// and http_status:)`,
    );
  }
  if (url.pathname !== '/' && url.pathname !== '') {
    fail(
      `${s} is an invalid address, ingress rules don't support proxying to a different path on the origin service`,
    );
  }
  return { kind: 'http', url };
}

function loadRules(): Rule[] {
  let doc: { ingress?: unknown; originRequest?: OriginRequest } | null;
  try {
    doc = YAML.parse(fs.readFileSync(configPath, 'utf8'));
  } catch (err) {
    return fail(`Couldn't read config ${configPath}: ${(err as Error).message}`);
  }
  const raw = Array.isArray(doc?.ingress) ? (doc.ingress as Record<string, unknown>[]) : [];
  if (raw.length === 0) {
    log(
      'WRN',
      'No ingress rules were defined in provided config (if any) nor from the cli, cloudflared will return 503 for all incoming HTTP requests',
    );
    return [
      {
        hostname: '',
        path: null,
        service: { kind: 'status', code: 503 },
        hostHeader: null,
        noTLSVerify: false,
      },
    ];
  }
  const rules = raw.map((r, i): Rule => {
    const n = i + 1;
    const hostname = String(r.hostname ?? '');
    if (/:\d+$/.test(hostname)) fail('Hostname cannot contain a port');
    if (hostname.lastIndexOf('*') > 0) {
      fail(
        'Hostname patterns can have at most one wildcard character ("*") and it can only be used for subdomains, e.g. "*.example.com"',
      );
    }
    let path: RE2JS | null = null;
    if (r.path !== undefined && r.path !== null && r.path !== '') {
      try {
        path = RE2JS.compile(String(r.path));
      } catch {
        fail(`Rule #${n} has an invalid regex`);
      }
    }
    const origin = { ...doc?.originRequest, ...(r.originRequest as OriginRequest | undefined) };
    const hostHeader = origin.httpHostHeader ?? null;
    return {
      hostname,
      path,
      service: parseService(r.service, n),
      hostHeader,
      noTLSVerify: !!origin.noTLSVerify,
    };
  });
  rules.forEach((r, i) => {
    const catchAll = (r.hostname === '' || r.hostname === '*') && r.path === null;
    if (catchAll && i < rules.length - 1) {
      fail(
        `Rule #${i + 1} is matching the hostname '${r.hostname}', but this will match every hostname, meaning the rules which follow it will never be triggered.`,
      );
    }
    if (!catchAll && i === rules.length - 1) {
      fail('The last ingress rule must match all URLs (i.e. it should not have a hostname or path filter)');
    }
  });
  return rules;
}
const rules = loadRules();

function matchHost(ruleHost: string, reqHost: string): boolean {
  if (ruleHost === '' || ruleHost === '*' || ruleHost === reqHost) return true;
  return ruleHost.startsWith('*.') && reqHost.endsWith(ruleHost.slice(1));
}
function findRule(hostHeader: string, rawUrl: string): Rule {
  const host = hostHeader.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  let path = rawUrl.split('?')[0] ?? '';
  try {
    path = decodeURIComponent(path);
  } catch {}
  return (
    rules.find((r) => matchHost(r.hostname, host) && (!r.path || r.path.matcher(path).find())) ??
    rules.at(-1)!
  );
}

// ---- proxying
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];
function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const drop = new Set([
    ...HOP_BY_HOP,
    ...String(headers.connection ?? '')
      .toLowerCase()
      .split(/\s*,\s*/),
  ]);
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop.has(k)));
}
const META_CLOUDFLARED = '{"src":"cloudflared"}';
const META_ORIGIN = '{"src":"origin"}';
// One TCP connection per origin request: no stale keep-alive sockets to race with an origin restart.
const agents = {
  'http:': new http.Agent({ keepAlive: false }),
  'https:': new https.Agent({ keepAlive: false }),
};

let draining = false;
let inFlight = 0;
let lastArrival = 0;
const edgeServer = http.createServer((req, res) => {
  lastArrival = Date.now();
  if (draining) {
    req.resume();
    res.writeHead(503, {
      'x-fake-cloudflared': 'unregistered',
      'cf-cloudflared-response-meta': META_CLOUDFLARED,
      'content-type': 'text/plain',
      connection: 'close',
    });
    res.end('fake cloudflared: shutting down; the edge would not have routed this request here\n');
    return;
  }
  inFlight++;
  res.once('close', () => {
    inFlight--;
  });
  const rule = findRule(req.headers.host ?? '', req.url ?? '/');
  if (rule.service.kind === 'status') {
    req.resume();
    res.writeHead(rule.service.code, { 'cf-cloudflared-response-meta': META_ORIGIN, 'content-length': 0 });
    res.end();
    return;
  }
  const { url } = rule.service;
  const headers = endToEnd(req.headers);
  if (rule.hostHeader) {
    headers['x-forwarded-host'] = req.headers.host;
    headers.host = rule.hostHeader;
  }
  const send = url.protocol === 'https:' ? https.request : http.request;
  const upstream = send(
    {
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      method: req.method,
      path: req.url,
      headers,
      agent: agents[url.protocol as 'http:' | 'https:'],
      rejectUnauthorized: !rule.noTLSVerify,
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, {
        ...endToEnd(up.headers),
        'cf-cloudflared-response-meta': META_ORIGIN,
      });
      up.pipe(res);
      up.once('aborted', () => res.destroy());
      up.once('error', () => res.destroy());
    },
  );
  upstream.once('error', (err: NodeJS.ErrnoException) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    log(
      'ERR',
      `Unable to reach the origin service. The service may be down or it may not be responding to traffic from cloudflared error="${err.code ?? err.message}" originService=${url.origin}`,
    );
    res.writeHead(502, { 'cf-cloudflared-response-meta': META_CLOUDFLARED, 'content-type': 'text/plain' });
    res.end(`fake cloudflared: unable to reach the origin service (${err.code ?? err.message})\n`);
  });
  // The eyeball went away: stop the origin request too.
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
});

// ---- metrics server
const connectorId = randomUUID();
let readyConnections = 0;
const metricsServer = http.createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/ready') {
    const status = readyConnections > 0 ? 200 : 503;
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(JSON.stringify({ status, readyConnections, connectorId }));
  } else if (path === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(
      [
        '# HELP cloudflared_tunnel_ha_connections Number of active ha connections',
        '# TYPE cloudflared_tunnel_ha_connections gauge',
        `cloudflared_tunnel_ha_connections ${readyConnections}`,
        '',
      ].join('\n'),
    );
  } else if (path === '/healthcheck') {
    res.end('OK\n');
  } else {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
  }
});

// ---- shutdown
const fullGrace = process.env.FAKE_CLOUDFLARED_FULL_GRACE === '1';
const exit = (why: string) => {
  log('INF', `Tunnel server stopped (${why})`);
  process.exit(0);
};
const quietMs = Number(process.env.FAKE_CLOUDFLARED_DRAIN_QUIET_MS ?? 200);
function onSignal(signal: NodeJS.Signals): void {
  // A second signal now gets Node's default action (death by that signal), like cloudflared after `signal.Stop`.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  log(
    'INF',
    `Initiating graceful shutdown due to signal ${signal === 'SIGTERM' ? 'terminated' : 'interrupt'} ...`,
  );
  draining = true;
  readyConnections = 0;
  lastArrival = Math.max(lastArrival, Date.now());
  for (let i = 0; i < 4; i++) log('INF', `Unregistered tunnel connection connIndex=${i} event=0`);
  setTimeout(() => exit(`grace period over with ${inFlight} request(s) in flight`), gracePeriodMs);
  if (fullGrace) return;
  setInterval(() => {
    if (inFlight === 0 && Date.now() - lastArrival >= quietMs) exit('no request in flight');
  }, 20);
}
process.once('SIGTERM', onSignal);
process.once('SIGINT', onSignal);

const listen = (server: http.Server, addr: { host: string; port: number }) =>
  new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => {
      const a = server.address() as AddressInfo;
      resolve(a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);
    });
  });

try {
  // The edge listener first: once /ready says 200 the connector can take requests.
  log('INF', `[fake] Serving edge requests on ${await listen(edgeServer, listenAddr)}`);
  log('INF', `Starting metrics server on ${await listen(metricsServer, metricsAddr)}/metrics`);
} catch (err) {
  fail(`failed to listen: ${(err as Error).message}`);
}
log(
  'INF',
  `Starting tunnel tunnelID=${positional[2] ?? 'unknown'} connectorID=${connectorId} rules=${rules.length}`,
);
const readyDelay = Number(process.env.FAKE_CLOUDFLARED_READY_DELAY_MS ?? 300);
setTimeout(() => {
  if (draining) return;
  readyConnections = 4;
  for (let i = 0; i < 4; i++) log('INF', `Registered tunnel connection connIndex=${i} event=0 protocol=quic`);
}, readyDelay);
