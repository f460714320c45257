import { Cron } from 'croner';

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a cron expression is refused, or null when it is fine: five fields (minute hour day month
 * weekday) or a nickname like `@daily`, read by croner in the given zone.
 */
export function cronProblem(expr: string, timezone = 'UTC'): string | null {
  const trimmed = expr.trim();
  if (!trimmed.startsWith('@') && trimmed.split(/\s+/).length !== 5) {
    return 'expected five fields (minute hour day-of-month month day-of-week) or @daily, @weekly…';
  }
  try {
    const job = new Cron(trimmed, { paused: true, timezone });
    const next = job.nextRun();
    job.stop();
    return next ? null : 'this schedule never runs';
  } catch (err) {
    return err instanceof Error ? err.message.replace(/^CronPattern: /, '') : 'invalid schedule';
  }
}

/** The next time a schedule fires after `from`, or null. */
export function nextRunOf(expr: string | null, timezone: string, from = new Date()): string | null {
  if (!expr) return null;
  try {
    const job = new Cron(expr, { paused: true, timezone });
    const next = job.nextRun(from);
    job.stop();
    return next ? next.toISOString() : null;
  } catch {
    return null;
  }
}
