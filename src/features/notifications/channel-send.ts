import { sendDiscord, sendNtfy, sendSlack } from '../../integrations/notify/chat-senders.js';
import type { OutboundMessage, SendResult } from '../../integrations/notify/notify-message.js';
import { sendMail } from '../../integrations/notify/smtp-sender.js';
import { sendWebhook } from '../../integrations/notify/webhook-sender.js';
import { createMasker } from '../../lib/log-masking.js';
import { type ChannelConfig, type ChannelType, secretValues } from './channel-config.js';

/**
 * Send one message through a channel of any type. The result's message never carries the
 * channel's secrets (a Slack URL is one): they are masked out of whatever the receiver said.
 */
export async function sendToChannel(
  channel: { type: ChannelType; config: ChannelConfig },
  message: OutboundMessage,
  deliveryId: string,
): Promise<SendResult> {
  const result = await dispatch(channel, message, deliveryId).catch(
    (err: unknown): SendResult => ({
      ok: false,
      statusCode: null,
      message: `sending failed: ${err instanceof Error ? err.message : String(err)}`,
    }),
  );
  const masker = createMasker(secretValues(channel.type, channel.config));
  return { ...result, message: masker.mask(result.message) };
}

function dispatch(
  channel: { type: ChannelType; config: ChannelConfig },
  m: OutboundMessage,
  deliveryId: string,
): Promise<SendResult> {
  switch (channel.type) {
    case 'webhook': {
      const c = channel.config as ChannelConfig<'webhook'>;
      return sendWebhook({ url: c.url, secret: c.secret }, m, deliveryId);
    }
    case 'slack':
      return sendSlack((channel.config as ChannelConfig<'slack'>).url, m);
    case 'discord':
      return sendDiscord((channel.config as ChannelConfig<'discord'>).url, m);
    case 'ntfy': {
      const c = channel.config as ChannelConfig<'ntfy'>;
      return sendNtfy({ serverUrl: c.serverUrl, topic: c.topic, token: c.token, priority: c.priority }, m);
    }
    case 'email': {
      const c = channel.config as ChannelConfig<'email'>;
      return sendMail(
        {
          host: c.host,
          port: c.port,
          security: c.security,
          username: c.username,
          password: c.password,
          from: c.from,
          to: c.to,
          verifyCertificate: c.verifyCertificate,
        },
        m,
      );
    }
  }
}
