/** A notification as the senders render it (already masked). */
export interface OutboundMessage {
  event: string;
  at: string;
  /** One line: "Deploy failed: shop". */
  title: string;
  /** What happened, in a sentence or two. */
  message: string;
  project: { id: string; name: string; hostname: string | null } | null;
  details: Record<string, unknown>;
  /** The last log lines where they help (deploy or container output), masked. */
  logLines: string[];
  /** The panel page to open (under WARP_PUBLIC_URL). */
  link: string | null;
}

/** What one delivery attempt found. */
export interface SendResult {
  ok: boolean;
  /** The receiver's HTTP status (or SMTP reply code), null when nothing answered. */
  statusCode: number | null;
  message: string;
}

/** Cut text to `max` characters, marking the cut. */
export const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;

/** The message as plain text (e-mail body, ntfy): title, message, project, log lines, link. */
export function plainText(m: OutboundMessage, opts: { title?: boolean } = {}): string {
  const parts: string[] = [];
  if (opts.title ?? true) parts.push(m.title, '');
  parts.push(m.message);
  if (m.project) {
    parts.push('', `Project: ${m.project.name}${m.project.hostname ? ` (${m.project.hostname})` : ''}`);
  }
  if (m.logLines.length > 0) parts.push('', 'Last log lines:', ...m.logLines.map((l) => `  ${l}`));
  if (m.link) parts.push('', `Open in Warp Panel: ${m.link}`);
  return parts.join('\n');
}
