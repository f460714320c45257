/** Small statistics for the bench: medians and percentiles over a few samples, and their printing. */

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);

/** The value below which a fraction `p` of the samples lie (nearest rank). */
export function percentile(xs: readonly number[], p: number): number {
  const s = sorted(xs);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number;
}

/** The median (the lower middle one for an even count). */
export const median = (xs: readonly number[]): number => percentile(xs, 0.5);

/** `12.3 (10.1–15.0)`: median with the lowest and highest sample. */
export function withSpread(xs: readonly number[], digits = 1): string {
  const s = sorted(xs);
  return `${median(xs).toFixed(digits)} (${s[0]?.toFixed(digits)}–${s.at(-1)?.toFixed(digits)})`;
}

/** A number with thousands separators. */
export const thousands = (n: number): string => Math.round(n).toLocaleString('en');
