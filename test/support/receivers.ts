import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One request a receiver got. */
export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A real HTTP server on loopback that records what it is sent (webhook, Slack, Discord, ntfy payloads). */
export interface HttpReceiver {
  url: string;
  port: number;
  requests: Received[];
  /** Answer every request with this status from now on (default 200). */
  setStatus(code: number): void;
  /** Stop listening (the port stays reserved for `start`). */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Start an HTTP receiver on 127.0.0.1 (a free port, or `port`). */
export async function startHttpReceiver(port = 0): Promise<HttpReceiver> {
  const requests: Received[] = [];
  let status = 200;
  let server: http.Server | null = null;
  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const s = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          requests.push({
            method: req.method ?? '',
            path: req.url ?? '',
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            at: Date.now(),
          });
          res.writeHead(status, { 'content-type': 'text/plain' });
          res.end(status < 300 ? 'ok' : 'receiver says no');
        });
      });
      s.once('error', reject);
      s.listen(p, '127.0.0.1', () => {
        server = s;
        resolve((s.address() as AddressInfo).port);
      });
    });
  const bound = await listen(port);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
      server = null;
    });
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    requests,
    setStatus: (code) => {
      status = code;
    },
    stop,
    start: async () => {
      await listen(bound);
    },
    close: stop,
  };
}

/** One mail the SMTP receiver accepted. */
export interface ReceivedMail {
  from: string | null;
  to: string[];
  auth: { username: string; password: string } | null;
  secure: boolean;
  headers: Record<string, string>;
  /** The text body, quoted-printable decoded. */
  text: string;
  raw: string;
}

/** A real SMTP server (smtp-server) on loopback. */
export interface SmtpReceiver {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

function decodeQuotedPrintable(s: string): string {
  const bytes = s
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Split a raw mail into unfolded, lower-cased headers and a decoded text body. */
export function parseMail(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const body = raw.slice(split + 4);
  const enc = headers['content-transfer-encoding']?.toLowerCase();
  const text =
    enc === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : enc === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
        : body;
  return { headers, text: text.replace(/\r\n/g, '\n') };
}

/** Start an SMTP receiver: plain, STARTTLS-capable with smtp-server's own self-signed certificate. */
export async function startSmtpReceiver(opts: { requireAuth?: boolean } = {}): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: !opts.requireAuth,
    allowInsecureAuth: true,
    logger: false,
    disableReverseLookup: true,
    onAuth(auth, _session, cb) {
      cb(null, { user: { username: auth.username, password: auth.password } });
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const user = session.user as { username: string; password: string } | undefined;
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address),
          auth: user ?? null,
          secure: session.secure,
          ...parseMail(raw),
          raw,
        });
        cb();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
  });
  return {
    port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
