import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * The address of the person behind a request. cloudflared, running on this host, reaches the panel
 * over loopback and names the visitor in `CF-Connecting-IP`; that header is believed only from a
 * loopback peer, and `X-Forwarded-For` never (any local process could write it). Everything else is
 * the socket's peer. The `/auth` rate limit and the audit log both use this address.
 */
export function clientAddress(request: FastifyRequest): string {
  const peer = request.socket.remoteAddress ?? '';
  if (LOOPBACK.test(peer)) {
    const header = request.headers['cf-connecting-ip'];
    const value = Array.isArray(header) ? header[0] : header;
    if (value && isIP(value.trim())) return value.trim();
  }
  return peer;
}
