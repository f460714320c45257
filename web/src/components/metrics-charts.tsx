import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, qs } from '../api/client.js';
import type { MetricSeries, MetricsResponse } from '../api/types.js';
import type { ChartLine } from '../lib/chart-data.js';
import { TimeChart } from './time-chart.js';
import { ErrorView, Loading } from './ui.js';

const HOUR = 3600_000;
/** The project page's ranges. */
export const RANGES = { '1 h': HOUR, '24 h': 24 * HOUR, '7 d': 7 * 24 * HOUR } as const;
type Range = keyof typeof RANGES;

function useMetrics(params: { scope: string; id?: string; rangeMs: number; series: string[] }) {
  return useQuery({
    queryKey: ['metrics', params.scope, params.id ?? null, params.rangeMs, params.series.join(',')],
    queryFn: () =>
      api<MetricsResponse>(
        `/api/v1/metrics${qs({
          scope: params.scope,
          id: params.id,
          from: Date.now() - params.rangeMs,
          series: params.series.join(','),
        })}`,
      ),
    refetchInterval: params.rangeMs <= HOUR ? 15_000 : 60_000,
  });
}

const HOST_LINES: [string, string][] = [
  ['cpu', 'CPU'],
  ['memoryPercent', 'Memory'],
  ['diskDataPercent', 'Disk (data dir)'],
  ['diskDockerPercent', 'Disk (Docker root)'],
];

/** Dashboard: host CPU, memory and disk (% used) over the last 24 h. */
export function HostCharts() {
  const q = useMetrics({ scope: 'host', rangeMs: 24 * HOUR, series: HOST_LINES.map(([n]) => n) });
  const lines = useMemo<ChartLine[]>(
    () =>
      HOST_LINES.map(([name, label]) => ({
        label,
        points: q.data?.series.find((s) => s.name === name)?.points ?? [],
      })).filter((l) => l.points.length > 0),
    [q.data],
  );
  if (q.isPending) return <Loading what="Loading metrics" />;
  if (q.error) return <ErrorView error={q.error} />;
  return <TimeChart title="Host, last 24 h" unit="%" lines={lines} max={100} />;
}

const byContainer = (series: MetricSeries[], name: string): ChartLine[] =>
  series
    .filter((s) => s.name === name)
    .map((s) => ({ label: s.container?.name ?? s.container?.id.slice(0, 12) ?? name, points: s.points }));

/** Project page: each container's CPU and memory, over 1 h / 24 h / 7 d. */
export function ProjectCharts({ projectId }: { projectId: string }) {
  const [range, setRange] = useState<Range>('1 h');
  const q = useMetrics({
    scope: 'project',
    id: projectId,
    rangeMs: RANGES[range],
    series: ['cpu', 'memory'],
  });
  const cpu = useMemo(() => byContainer(q.data?.series ?? [], 'cpu'), [q.data]);
  const memory = useMemo(() => byContainer(q.data?.series ?? [], 'memory'), [q.data]);
  return (
    <>
      <fieldset className="range-picker">
        <legend className="sr-only">Range</legend>
        {(Object.keys(RANGES) as Range[]).map((r) => (
          <button
            key={r}
            type="button"
            aria-pressed={r === range}
            className={`btn${r === range ? ' btn-primary' : ''}`}
            onClick={() => setRange(r)}
          >
            {r}
          </button>
        ))}
      </fieldset>
      {q.isPending ? (
        <Loading what="Loading metrics" />
      ) : q.error ? (
        <ErrorView error={q.error} />
      ) : (
        <div className="chart-grid">
          <TimeChart title="CPU (100 % = one core)" unit="%" lines={cpu} />
          <TimeChart title="Memory" unit="bytes" lines={memory} />
        </div>
      )}
    </>
  );
}
