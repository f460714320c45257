import { describe, expect, it } from 'vitest';
import { jobTitle } from './job-words.js';

describe('job titles for people', () => {
  it("uses the server's title", () => {
    expect(jobTitle({ type: 'docker_run', title: 'Deploy draw.example.com (quick service)' })).toBe(
      'Deploy draw.example.com (quick service)',
    );
  });

  it('never shows the bare type: words for it, with the project when known', () => {
    expect(jobTitle({ type: 'docker_run' })).toBe('Deploy a quick service');
    expect(jobTitle({ type: 'docker_run', title: 'Docker run' })).toBe('Deploy a quick service');
    expect(jobTitle({ type: 'redeploy' }, 'draw')).toBe('Redeploy draw');
    expect(jobTitle({ type: 'docker_run' }, 'draw')).toBe('Deploy a quick service (draw)');
    expect(jobTitle({ type: 'something_new' })).toBe('Something new');
  });
});
