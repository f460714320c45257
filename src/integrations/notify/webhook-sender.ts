import { createHmac } from 'node:crypto';
import { postRequest } from './http-post.js';
import type { OutboundMessage, SendResult } from './notify-message.js';

/** The body the generic webhook POSTs (API.md: event, at, message, project, details; more fields welcome). */
export function webhookBody(m: OutboundMessage): string {
  return JSON.stringify({
    event: m.event,
    at: m.at,
    message: m.message,
    project: m.project,
    details: m.details,
    title: m.title,
    link: m.link,
    logLines: m.logLines,
  });
}

/** `sha256=<hex HMAC-SHA256 of the body>`, the value of `X-Warp-Signature`. */
export const signatureOf = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

/** POST the JSON body, signed when the channel has a secret. */
export function sendWebhook(
  target: { url: string; secret: string | null },
  m: OutboundMessage,
  deliveryId: string,
): Promise<SendResult> {
  const body = webhookBody(m);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-warp-event': m.event,
    'x-warp-delivery': deliveryId,
  };
  if (target.secret) headers['x-warp-signature'] = signatureOf(target.secret, body);
  return postRequest(target.url, { body, headers });
}
