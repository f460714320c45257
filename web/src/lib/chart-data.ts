/** One line of a chart: its label and [epochMs, value] points. */
export interface ChartLine {
  label: string;
  points: [number, number][];
}

/**
 * uPlot's aligned layout: one shared, sorted x array and one y array per line, null where a line
 * has no point at that x (uPlot draws a gap there instead of a false zero).
 */
export function alignLines(lines: ChartLine[]): [number[], ...(number | null)[][]] {
  const xs = [...new Set(lines.flatMap((l) => l.points.map(([t]) => t)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = lines.map((l) => {
    const y: (number | null)[] = new Array(xs.length).fill(null);
    for (const [t, v] of l.points) y[index.get(t) as number] = v;
    return y;
  });
  return [xs, ...ys];
}

/** A value for axis ticks and the legend, in the chart's unit. */
export function formatValue(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (unit === '%') return `${v < 10 ? v.toFixed(1) : Math.round(v)} %`;
  if (unit === 'bytes' || unit === 'bytes/s') {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let x = Math.abs(v);
    let i = 0;
    while (x >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return `${x < 10 && i > 0 ? x.toFixed(1) : Math.round(x)} ${units[i]}${unit === 'bytes/s' ? '/s' : ''}`;
  }
  return v.toFixed(2);
}

/** The last value of each line, for the text summary next to a chart. */
export const latest = (lines: ChartLine[]) =>
  lines.map((l) => ({ label: l.label, value: l.points.at(-1)?.[1] ?? null }));
