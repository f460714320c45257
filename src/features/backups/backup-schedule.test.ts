import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { cronProblem, isTimeZone, nextRunOf } from './backup-schedule.js';
import { createBackupScheduler } from './backup-scheduler.js';

describe('backup schedules', () => {
  it('accepts five-field cron and nicknames, refuses the rest with a reason', () => {
    expect(cronProblem('30 2 * * *')).toBeNull();
    expect(cronProblem('@daily')).toBeNull();
    expect(cronProblem('* * * * * *')).toMatch(/five fields/);
    expect(cronProblem('61 * * * *')).toMatch(/minute/);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Base')).toBe(false);
  });

  it('reads the schedule in its time zone', () => {
    const from = new Date('2026-01-15T12:00:00Z');
    expect(nextRunOf('30 2 * * *', 'Europe/Berlin', from)).toBe('2026-01-16T01:30:00.000Z');
    expect(nextRunOf('30 2 * * *', 'UTC', from)).toBe('2026-01-16T02:30:00.000Z');
    expect(nextRunOf(null, 'UTC', from)).toBeNull();
  });

  it('fires each policy’s work and follows reloads', async () => {
    const fired: string[] = [];
    let policies = [{ projectId: 'p1', schedule: '* * * * * *', verifySchedule: null, timezone: 'UTC' }];
    const scheduler = createBackupScheduler({
      policies: async () => policies,
      fire: async (projectId, work) => {
        fired.push(`${projectId}:${work}`);
      },
      log: pino({ level: 'silent' }),
    });
    await scheduler.start();
    expect(scheduler.timers().map((t) => t.name)).toEqual(['backup:p1']);
    await new Promise((r) => setTimeout(r, 2200));
    expect(fired.length).toBeGreaterThan(0);
    expect(new Set(fired)).toEqual(new Set(['p1:backup']));
    policies = [];
    await scheduler.reload();
    expect(scheduler.timers()).toEqual([]);
    scheduler.stop();
  });
});
