// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { unwatchJob, watchAccepted, watchedJobs, watchJob } from './job-watch.js';

describe('jobs this tab started are followed until they end', () => {
  it('follows a 202 {job} answer that has not ended, once, and keeps it across a reload', () => {
    watchAccepted({ project: {}, job: { id: 'j1', status: 'queued' } });
    watchAccepted({ job: { id: 'j2', status: 'succeeded' } });
    watchAccepted({ items: [] });
    watchAccepted(null);
    watchJob({ id: 'j1', status: 'running' });
    expect(watchedJobs()).toEqual(['j1']);
    expect(JSON.parse(sessionStorage.getItem('warp.watchedJobs') ?? '[]')).toEqual(['j1']);
    unwatchJob('j1');
    expect(watchedJobs()).toEqual([]);
  });
});
