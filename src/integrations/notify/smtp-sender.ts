import type { SendResult } from './notify-message.js';
import { type OutboundMessage, plainText } from './notify-message.js';

/** An SMTP server and the envelope of the mails sent through it. */
export interface SmtpTarget {
  host: string;
  port: number;
  /** `tls`: TLS from the first byte (465); `starttls`: upgrade required (587); `none`: plain (tests, relays). */
  security: 'starttls' | 'tls' | 'none';
  username: string | null;
  password: string | null;
  from: string;
  to: string[];
  /** false accepts a self-signed server certificate (a homelab relay). */
  verifyCertificate: boolean;
}

const TIMEOUT_MS = 15_000;

/** Send the message as a plain-text mail (nodemailer, one connection per mail). Never throws. */
export async function sendMail(target: SmtpTarget, m: OutboundMessage): Promise<SendResult> {
  // Loaded on first use: an idle panel without an e-mail channel need not carry the mailer.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: target.host,
    port: target.port,
    secure: target.security === 'tls',
    requireTLS: target.security === 'starttls',
    ignoreTLS: target.security === 'none',
    ...(target.username ? { auth: { user: target.username, pass: target.password ?? '' } } : {}),
    tls: { rejectUnauthorized: target.verifyCertificate },
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  try {
    const info = await transport.sendMail({
      from: target.from,
      to: target.to,
      subject: `[Warp Panel] ${m.title}`,
      text: plainText(m),
      headers: { 'X-Warp-Event': m.event },
    });
    const code = Number.parseInt(String(info.response ?? '').slice(0, 3), 10);
    return {
      ok: true,
      statusCode: Number.isFinite(code) ? code : null,
      message: `accepted by ${target.host}: ${String(info.response ?? 'ok').slice(0, 200)}`,
    };
  } catch (err) {
    const e = err as { code?: string; responseCode?: number; message?: string };
    return {
      ok: false,
      statusCode: e.responseCode ?? null,
      message: `SMTP ${target.host}:${target.port} failed${e.code ? ` (${e.code})` : ''}: ${String(e.message ?? err).slice(0, 200)}`,
    };
  } finally {
    transport.close();
  }
}
