import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** One installed package of the host's dpkg database. */
export interface HostPackage {
  name: string;
  /** Name of its files under /var/lib/dpkg/info (`libc6:amd64` for Multi-Arch: same). */
  id: string;
  stanza: string;
  fields: Record<string, string>;
}

const STATUS = '/var/lib/dpkg/status';

/** The host's installed packages of its native architecture (and `all`), by name. */
export function installedPackages(statusFile = STATUS): Map<string, HostPackage> {
  if (!fs.existsSync(statusFile)) throw new Error('the local base image needs a Debian host (dpkg)');
  const arch = spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).stdout.trim() || 'amd64';
  const out = new Map<string, HostPackage>();
  for (const stanza of fs.readFileSync(statusFile, 'utf8').split(/\n\n+/)) {
    const fields: Record<string, string> = {};
    let key = '';
    for (const line of stanza.split('\n')) {
      if (/^\s/.test(line) && key) fields[key] += `\n${line}`;
      else {
        const at = line.indexOf(':');
        if (at < 1) continue;
        key = line.slice(0, at);
        fields[key] = line.slice(at + 1).trim();
      }
    }
    const name = fields.Package;
    if (!name || !fields.Status?.endsWith(' installed')) continue;
    if (fields.Architecture !== arch && fields.Architecture !== 'all') continue;
    const id = fields['Multi-Arch'] === 'same' ? `${name}:${fields.Architecture}` : name;
    out.set(name, { name, id, stanza: `${stanza.trim()}\n`, fields });
  }
  return out;
}

const names = (field: string | undefined): string[][] =>
  (field ?? '')
    .split(',')
    .map((group) =>
      group
        .split('|')
        .map((alt) =>
          alt
            .trim()
            .replace(/\s*\(.*\)$/, '')
            .replace(/:\w+$/, ''),
        )
        .filter(Boolean),
    )
    .filter((g) => g.length > 0);

/**
 * Essential and required packages, apt and `extras`, closed over Pre-Depends/Depends (the first
 * installed alternative; virtual names through Provides). Throws when an extra is not installed.
 */
export function collectPackages(installed: Map<string, HostPackage>, extras: string[]): Set<string> {
  const providers = new Map<string, string>();
  for (const p of installed.values())
    for (const [v] of names(p.fields.Provides)) if (v && !providers.has(v)) providers.set(v, p.name);
  const resolve = (n: string) => (installed.has(n) ? n : providers.get(n));
  const missing = extras.filter((e) => !installed.has(e));
  if (missing.length)
    throw new Error(`install ${missing.join(' ')} on the host: the local base is made from its packages`);
  const roots = [...installed.values()]
    .filter((p) => p.fields.Essential === 'yes' || p.fields.Priority === 'required')
    .map((p) => p.name);
  const seen = new Set<string>();
  const queue = [...roots, 'apt', ...extras];
  while (queue.length) {
    const name = queue.pop() as string;
    if (seen.has(name) || !installed.has(name)) continue;
    seen.add(name);
    const pkg = installed.get(name) as HostPackage;
    for (const group of [...names(pkg.fields['Pre-Depends']), ...names(pkg.fields.Depends)]) {
      const pick = group.map(resolve).find((x): x is string => x !== undefined);
      if (pick) queue.push(pick);
    }
  }
  return seen;
}

/** Every path the packages own (from their dpkg `.list` files). */
export function packageFiles(installed: Map<string, HostPackage>, picked: Set<string>): string[] {
  const out: string[] = [];
  for (const name of picked) {
    const id = installed.get(name)?.id ?? name;
    const list = `/var/lib/dpkg/info/${id}.list`;
    if (!fs.existsSync(list)) continue;
    for (const line of fs.readFileSync(list, 'utf8').split('\n')) if (line && line !== '/.') out.push(line);
  }
  return out;
}
