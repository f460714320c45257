import fs from 'node:fs/promises';

/** TCP state code of a listening socket in /proc/net/tcp{,6}. */
const TCP_LISTEN = '0A';

/** Local ports of LISTEN sockets in the text of /proc/net/tcp or /proc/net/tcp6. */
export function parseProcNetTcp(text: string): number[] {
  const ports: number[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    // cols: sl local_address rem_address st …; local_address is HEXIP:HEXPORT.
    if (cols.length < 4 || cols[3] !== TCP_LISTEN) continue;
    const port = Number.parseInt(cols[1]?.split(':').at(-1) ?? '', 16);
    if (Number.isInteger(port)) ports.push(port);
  }
  return ports;
}

/** Every TCP port something on the host listens on (IPv4 and IPv6), from /proc/net. */
export async function listeningPorts(): Promise<Set<number>> {
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const p of parseProcNetTcp(await fs.readFile(file, 'utf8'))) ports.add(p);
    } catch {
      // tcp6 is missing when IPv6 is disabled; the bind test still covers the port.
    }
  }
  return ports;
}
