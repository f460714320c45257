import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A DNS record as the fake stores it (the fields of Cloudflare's record object the panel reads). */
export interface FakeDnsRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  proxied: boolean;
  ttl: number;
  comment: string | null;
}

/** One request the fake saw. */
export interface FakeRequest {
  method: string;
  path: string;
  body: unknown;
}

/** State a test can read and change. */
export interface FakeCloudflareState {
  config: Record<string, unknown>;
  version: number;
  records: FakeDnsRecord[];
  /** Connector clients as `GET …/connections` returns them. */
  clients: { id: string; version: string; conns: Record<string, unknown>[] }[];
  requests: FakeRequest[];
}

const PAGE_DEFAULT = 100;

const envelope = (result: unknown, extra: Record<string, unknown> = {}) => ({
  success: true,
  errors: [],
  messages: [],
  result,
  ...extra,
});
const failure = (code: number, message: string) => ({
  success: false,
  errors: [{ code, message }],
  messages: [],
  result: null,
});

/** Four healthy edge connections of one connector. */
export const fourConnections = () => [
  {
    id: randomUUID(),
    version: '2026.8.2',
    conns: ['ams01', 'fra06', 'ams08', 'fra02'].map((colo) => ({
      id: randomUUID(),
      colo_name: colo,
      opened_at: '2026-08-20T10:00:00Z',
      origin_ip: '203.0.113.7',
      client_id: 'c',
      client_version: '2026.8.2',
    })),
  },
];

/**
 * A local HTTP server answering the Cloudflare API endpoints the panel uses, following the
 * documented contract (reference/integration-facts.md §7): tunnel configurations get/put, tunnel
 * connections, DNS records list (paginated; `[]` past the end)/get/create/delete. Requests need
 * `Authorization: Bearer <token>`.
 */
export async function startFakeCloudflareApi(opts: {
  token: string;
  accountId: string;
  tunnelId: string;
  zoneId: string;
}) {
  const state: FakeCloudflareState = {
    config: { ingress: [{ service: 'http_status:404' }] },
    version: 1,
    records: [],
    clients: fourConnections(),
    requests: [],
  };
  const tunnelBase = `/client/v4/accounts/${opts.accountId}/cfd_tunnel/${opts.tunnelId}`;
  const zoneBase = `/client/v4/zones/${opts.zoneId}/dns_records`;

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => {
      raw += d.toString('utf8');
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
      state.requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, body });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== `Bearer ${opts.token}`) {
        send(403, failure(10000, 'Authentication error'));
        return;
      }
      const p = url.pathname;
      if (p === `${tunnelBase}/configurations`) {
        if (req.method === 'PUT') {
          state.config = (body?.config ?? {}) as Record<string, unknown>;
          state.version += 1;
        }
        send(
          200,
          envelope({
            account_id: opts.accountId,
            tunnel_id: opts.tunnelId,
            version: state.version,
            config: state.config,
            source: 'cloudflare',
            created_at: '2026-08-20T10:00:00Z',
          }),
        );
        return;
      }
      if (p === `${tunnelBase}/connections` && req.method === 'GET') {
        send(200, envelope(state.clients));
        return;
      }
      if (p === zoneBase && req.method === 'GET') {
        const name = url.searchParams.get('name.exact') ?? url.searchParams.get('name');
        const all = state.records.filter((r) => !name || r.name === name);
        const page = Number(url.searchParams.get('page') ?? 1);
        const perPage = Number(url.searchParams.get('per_page') ?? PAGE_DEFAULT);
        const items = all.slice((page - 1) * perPage, page * perPage);
        send(
          200,
          envelope(items, {
            result_info: { page, per_page: perPage, count: items.length, total_count: all.length },
          }),
        );
        return;
      }
      if (p === zoneBase && req.method === 'POST') {
        const rec = body as Partial<FakeDnsRecord>;
        if (!rec.name || !rec.type || !rec.content || rec.ttl === undefined) {
          send(400, failure(9000, 'DNS name, type, content and ttl are required'));
          return;
        }
        if (state.records.some((r) => r.name === rec.name && ['A', 'AAAA', 'CNAME'].includes(r.type))) {
          send(400, failure(81053, 'An A, AAAA, or CNAME record with that host already exists.'));
          return;
        }
        const created: FakeDnsRecord = {
          id: randomUUID().replaceAll('-', ''),
          name: rec.name,
          type: rec.type,
          content: rec.content,
          proxied: rec.proxied ?? false,
          ttl: rec.ttl,
          comment: rec.comment ?? null,
        };
        state.records.push(created);
        send(200, envelope(created));
        return;
      }
      const one = p.startsWith(`${zoneBase}/`) ? p.slice(zoneBase.length + 1) : null;
      if (one) {
        const index = state.records.findIndex((r) => r.id === one);
        if (index === -1) {
          send(404, failure(81044, 'Record does not exist.'));
          return;
        }
        if (req.method === 'DELETE') {
          state.records.splice(index, 1);
          send(200, envelope({ id: one }));
          return;
        }
        send(200, envelope(state.records[index]));
        return;
      }
      send(404, failure(7003, `No route for that URI: ${req.method} ${p}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/client/v4`,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
