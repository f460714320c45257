import { validationError } from './errors.js';

/** Host ports and the range the free-port search may hand out. */

/** An inclusive range of TCP ports. */
export interface PortRange {
  start: number;
  end: number;
}

/** True for an integer TCP port 1–65535. */
export const isValidPort = (p: unknown): p is number =>
  typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535;

const invalid = (path: string, message: string) => validationError(message, [{ path, message }]);

/** Parses a port given as a number or decimal string; throws a validation error naming `field`. */
export function parsePort(value: unknown, field = 'port'): number {
  const n = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value;
  if (!isValidPort(n)) throw invalid(field, 'port must be an integer from 1 to 65535');
  return n;
}

/** Parses `"8100-8999"` (or a single port `"8100"`) into an inclusive range with start ≤ end. */
export function parsePortRange(s: string, field = 'portRange'): PortRange {
  const m = typeof s === 'string' ? /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(s) : null;
  if (!m) throw invalid(field, 'port range must look like 8100-8999');
  const start = parsePort(m[1], field);
  const end = parsePort(m[2] ?? m[1], field);
  if (start > end) throw invalid(field, 'port range start must not be greater than its end');
  return { start, end };
}

/** Number of ports in a range. */
export const portRangeSize = (range: PortRange): number => range.end - range.start + 1;

/** True when `port` lies inside `range`. */
export const inPortRange = (range: PortRange, port: number): boolean =>
  port >= range.start && port <= range.end;

/** The lowest port in `range` for which `isTaken` is false, or null when every port is taken. */
export function firstFreePort(range: PortRange, isTaken: (port: number) => boolean): number | null {
  for (let p = range.start; p <= range.end; p++) if (!isTaken(p)) return p;
  return null;
}
