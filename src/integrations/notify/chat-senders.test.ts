import { describe, expect, it } from 'vitest';
import { discordBody, ntfyBody, slackBody } from './chat-senders.js';
import type { OutboundMessage } from './notify-message.js';
import { signatureOf, webhookBody } from './webhook-sender.js';

const message = (over: Partial<OutboundMessage> = {}): OutboundMessage => ({
  event: 'deploy.failed',
  at: '2026-05-01T10:00:00.000Z',
  title: 'Deploy failed: shop',
  message: 'It broke.',
  project: { id: 'p1', name: 'shop', hostname: 'shop.example.com' },
  details: { jobId: 'j1' },
  logLines: ['one', 'two'],
  link: 'https://panel.example.com/jobs/j1',
  ...over,
});

describe('chat payloads', () => {
  it('keeps a Discord message within 2,000 characters however long the log', () => {
    const long = message({ logLines: Array.from({ length: 20 }, (_, i) => `${i} ${'x'.repeat(480)}`) });
    const body = JSON.parse(discordBody(long));
    expect(body.content.length).toBeLessThanOrEqual(2000);
    expect(body.content.startsWith('**Deploy failed: shop**\nIt broke.')).toBe(true);
    expect(body.content.endsWith('<https://panel.example.com/jobs/j1>')).toBe(true);
  });

  it('escapes Slack control characters and cannot be broken out of its code block', () => {
    const body = JSON.parse(slackBody(message({ message: 'a <b> & c', logLines: ['```<!channel>'] })));
    expect(body.text).toContain('a &lt;b&gt; &amp; c');
    expect(body.text).toContain("```'''&lt;!channel&gt;```");
  });

  it('publishes to ntfy as JSON with a priority that follows the event', () => {
    expect(JSON.parse(ntfyBody('t', message(), null))).toMatchObject({
      topic: 't',
      priority: 4,
      tags: ['x'],
    });
    const ok = JSON.parse(ntfyBody('t', message({ event: 'deploy.succeeded' }), null));
    expect(ok).toMatchObject({
      priority: 3,
      tags: ['white_check_mark'],
      click: 'https://panel.example.com/jobs/j1',
    });
    expect(JSON.parse(ntfyBody('t', message(), 1)).priority).toBe(1);
  });

  it('signs the webhook body with HMAC-SHA256 of the exact bytes sent', () => {
    const body = webhookBody(message());
    expect(JSON.parse(body)).toMatchObject({
      event: 'deploy.failed',
      project: { id: 'p1' },
      details: { jobId: 'j1' },
    });
    // Known answer: echo -n '{"a":1}' | openssl dgst -sha256 -hmac key
    expect(signatureOf('key', '{"a":1}')).toBe(
      'sha256=88a67f24bbcdaed0e6c997404bb79a743baf44c6bab2f4c27328e3009d22e342',
    );
  });
});
