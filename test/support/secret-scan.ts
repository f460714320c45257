import fs from 'node:fs';
import path from 'node:path';

/** A named secret the scan looks for. */
export interface Secret {
  name: string;
  value: string;
}

/** Where a text came from (an API response, a log line, a file) — named in a leak report. */
export interface Haystack {
  where: string;
  text: string;
  /** Secrets this haystack may carry (the one response that hands a new token out). */
  allow?: string[];
}

/**
 * The forms a leak can take: the value itself, the value without its last four characters (the hint
 * is allowed, the rest is not), any 12 consecutive characters of it, JSON-, URL- and base64-encoded forms, and
 * for multi-line values (PEM keys) every body line.
 */
export function needlesOf(value: string): string[] {
  const out = new Set<string>([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
  out.add(Buffer.from(value).toString('base64'));
  if (value.length >= 16) out.add(value.slice(0, -4));
  // Any 12 characters in a row of a short secret (a 4-character hint is allowed; 12 are a leak).
  if (value.length <= 256) for (let i = 0; i + 12 <= value.length; i++) out.add(value.slice(i, i + 12));
  for (const line of value.split(/\r?\n/))
    if (line.trim().length >= 24 && !line.startsWith('-----')) out.add(line.trim());
  return [...out].filter((n) => n.length >= 8);
}

/** Every (secret, haystack) pair where a form of the secret shows up. */
export function findLeaks(haystacks: Haystack[], secrets: Secret[]): string[] {
  const leaks: string[] = [];
  for (const s of secrets) {
    const needles = needlesOf(s.value);
    for (const h of haystacks) {
      if (h.allow?.includes(s.value)) continue;
      const hit = needles.find((n) => h.text.includes(n));
      if (hit)
        leaks.push(
          `${s.name} in ${h.where}: …${h.text.slice(Math.max(0, h.text.indexOf(hit) - 40), h.text.indexOf(hit) + 8)}…`,
        );
    }
  }
  return leaks;
}

/** Every regular file under `dir` as a haystack (binary files read as latin1: bytes match bytes). */
export function fileHaystacks(dir: string): Haystack[] {
  const out: Haystack[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile())
        out.push({ where: `file ${path.relative(dir, p)}`, text: fs.readFileSync(p, 'latin1') });
    }
  };
  walk(dir);
  return out;
}
