import { useEffect, useRef, useState } from 'react';
import type uPlotType from 'uplot';
import { alignLines, type ChartLine, formatValue, latest } from '../lib/chart-data.js';

const COLORS = ['#4f46e5', '#0d9488', '#d97706', '#db2777', '#2563eb', '#65a30d', '#7c3aed', '#dc2626'];

const cssVar = (name: string, fallback: string) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/**
 * A time-series chart (uPlot on a canvas, loaded on first use so the initial bundle stays small),
 * with a text summary of the latest values for screen readers and a resize to its container.
 */
export function TimeChart({
  title,
  unit,
  lines,
  height = 180,
  max,
}: {
  title: string;
  unit: string;
  lines: ChartLine[];
  height?: number;
  /** Fixed top of the y scale (100 for percentages of a whole). */
  max?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlotType | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const hasData = lines.some((l) => l.points.length > 0);

  useEffect(() => {
    if (!hasData || !box.current) return;
    let disposed = false;
    let observer: ResizeObserver | null = null;
    void import('../lib/uplot-loader.js')
      .then(({ default: UPlot }) => {
        if (disposed || !box.current) return;
        const text = cssVar('--muted', '#5b6470');
        const grid = cssVar('--border', '#d9dde3');
        const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
        const opts: uPlotType.Options = {
          width: box.current.clientWidth || 600,
          height,
          ms: 1,
          legend: { live: true },
          cursor: { drag: { x: false, y: false } },
          scales: {
            y:
              max !== undefined
                ? { range: [0, max] }
                : { range: (_u, _min, hi) => [0, hi > 0 ? hi * 1.1 : 1] },
          },
          series: [
            {},
            ...lines.map((l, i) => ({
              label: l.label,
              stroke: COLORS[i % COLORS.length],
              width: 1.5,
              points: { show: false },
              value: (_u: uPlotType, v: number | null) => formatValue(v, unit),
            })),
          ],
          axes: [axis, { ...axis, size: 70, values: (_u, ticks) => ticks.map((v) => formatValue(v, unit)) }],
        };
        plot.current?.destroy();
        plot.current = new UPlot(opts, alignLines(lines) as uPlotType.AlignedData, box.current);
        observer = new ResizeObserver(() => {
          if (box.current && plot.current) plot.current.setSize({ width: box.current.clientWidth, height });
        });
        observer.observe(box.current);
      })
      .catch((err: unknown) => setFailed(err instanceof Error ? err.message : String(err)));
    return () => {
      disposed = true;
      observer?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [lines, unit, height, max, hasData]);

  const summary = latest(lines)
    .map((l) => `${l.label} ${formatValue(l.value, unit)}`)
    .join(', ');
  return (
    <figure className="chart" data-testid={`chart-${title}`}>
      <figcaption>
        {title}
        {hasData && <span className="sr-only">. Latest: {summary}</span>}
      </figcaption>
      {failed ? (
        <p className="muted">The chart could not load: {failed}</p>
      ) : hasData ? (
        <div ref={box} className="chart-canvas" style={{ minHeight: height }} />
      ) : (
        <p className="muted small">No samples in this range yet.</p>
      )}
    </figure>
  );
}
