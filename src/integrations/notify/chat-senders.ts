import { postRequest } from './http-post.js';
import { clip, type OutboundMessage, plainText, type SendResult } from './notify-message.js';

const json = { 'content-type': 'application/json' };

// Slack mrkdwn treats these three as control characters.
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// A log line must not close the code block it is shown in.
const fence = (lines: string[]) => lines.map((l) => l.replace(/```/g, "'''")).join('\n');

/** Slack (and Mattermost / Rocket.Chat) incoming webhook payload: `{"text"}` in mrkdwn. */
export function slackBody(m: OutboundMessage): string {
  const parts = [`*${slackEscape(m.title)}*`, slackEscape(m.message)];
  if (m.logLines.length > 0) parts.push(`\`\`\`${slackEscape(fence(m.logLines))}\`\`\``);
  if (m.link) parts.push(`<${m.link}|Open in Warp Panel>`);
  return JSON.stringify({ text: clip(parts.join('\n'), 39_000) });
}

/** Discord webhook payload: `{"content"}` (2,000 characters at most), no mentions. */
export function discordBody(m: OutboundMessage): string {
  const head = `**${m.title}**\n${m.message}`;
  const link = m.link ? `\n<${m.link}>` : '';
  let logs = '';
  if (m.logLines.length > 0) {
    const room = 2000 - head.length - link.length - 12;
    if (room > 40) logs = `\n\`\`\`\n${clip(fence(m.logLines), room)}\n\`\`\``;
  }
  return JSON.stringify({
    content: clip(`${head}${logs}${link}`, 2000),
    username: 'Warp Panel',
    allowed_mentions: { parse: [] },
  });
}

/** POST to a Slack-compatible incoming webhook URL. */
export const sendSlack = (url: string, m: OutboundMessage): Promise<SendResult> =>
  postRequest(url, { body: slackBody(m), headers: json });

/** POST to a Discord webhook URL. */
export const sendDiscord = (url: string, m: OutboundMessage): Promise<SendResult> =>
  postRequest(url, { body: discordBody(m), headers: json });

const NTFY_TAGS: Record<string, string[]> = {
  'deploy.failed': ['x'],
  'deploy.succeeded': ['white_check_mark'],
  'container.exited': ['warning'],
  'container.unhealthy': ['warning'],
  'container.restarting': ['repeat'],
  'tunnel.down': ['rotating_light'],
  'disk.high': ['floppy_disk'],
  'cpu.high': ['chart_with_upwards_trend'],
  'memory.high': ['chart_with_upwards_trend'],
  'backup.failed': ['x'],
  'webhook.rejected': ['no_entry'],
};

/** ntfy JSON publish body (POST to the server root): topic, title, message, tags, priority, click. */
export function ntfyBody(topic: string, m: OutboundMessage, priority: number | null): string {
  const failure = /failed|exited|unhealthy|down|high|restarting/.test(m.event);
  return JSON.stringify({
    topic,
    title: clip(m.title, 200),
    message: clip(plainText(m, { title: false }), 3900),
    tags: NTFY_TAGS[m.event] ?? ['bell'],
    priority: priority ?? (failure ? 4 : 3),
    ...(m.link ? { click: m.link } : {}),
  });
}

/** Publish to an ntfy server (JSON publishing, so titles need no header encoding). */
export function sendNtfy(
  target: { serverUrl: string; topic: string; token: string | null; priority: number | null },
  m: OutboundMessage,
): Promise<SendResult> {
  const headers: Record<string, string> = { ...json };
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  return postRequest(`${target.serverUrl.replace(/\/+$/, '')}/`, {
    body: ntfyBody(target.topic, m, target.priority),
    headers,
  });
}
