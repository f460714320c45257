import type { MetricAlert } from '../metrics/index.js';
import type { NotificationInput } from './notification-events.js';

const bytes = (n: number) => {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 10 || i === 0 ? 0 : 1)} ${units[i]}`;
};

/** A crossed metrics threshold as a notification (`disk.high`, `cpu.high`, `memory.high`). */
export function alertToNotification(a: MetricAlert): NotificationInput {
  const pct = `${a.percent.toFixed(1)} %`;
  if (a.kind === 'disk') {
    const what = a.disk === 'data' ? 'panel data dir' : 'Docker root';
    return {
      event: 'disk.high',
      title: `Disk ${pct} full: ${a.path}`,
      message: `The disk holding the ${what} (${a.path}) is ${pct} full (${bytes(a.used)} of ${bytes(a.total)}), over the ${a.threshold} % threshold.`,
      details: {
        disk: a.disk,
        path: a.path,
        percent: a.percent,
        threshold: a.threshold,
        used: a.used,
        total: a.total,
      },
      linkPath: '/',
      groupKey: `disk.high:${a.path}`,
    };
  }
  const what = a.kind === 'cpu' ? 'CPU' : 'Memory';
  const of = a.kind === 'cpu' ? '(100 % = one core)' : 'of its limit';
  return {
    event: a.kind === 'cpu' ? 'cpu.high' : 'memory.high',
    title: `${what} high: ${a.containerName} (${a.project.name})`,
    message: `${what} of container ${a.containerName} of ${a.project.name} has been over ${a.threshold} % ${of} for ${a.minutes} min (now ${pct}).`,
    projectId: a.project.id,
    details: {
      containerId: a.containerId,
      containerName: a.containerName,
      percent: a.percent,
      threshold: a.threshold,
      minutes: a.minutes,
    },
    groupKey: `${a.kind}.high:${a.containerId}`,
  };
}
