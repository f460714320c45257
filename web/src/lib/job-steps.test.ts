import { describe, expect, it } from 'vitest';
import { closeSteps, deriveSteps } from './job-steps.js';

const sys = (seq: number, text: string) => ({ seq, stream: 'system', text });

describe('deriveSteps', () => {
  it('follows the runner step lines: start, done with duration, failure with reason', () => {
    const steps = deriveSteps([
      sys(1, '▶ Pull image'),
      { seq: 2, stream: 'stdout', text: '▶ not a step (stdout)' },
      sys(3, '✓ Pull image (1.2 s)'),
      sys(4, '▶ Start container'),
      sys(5, '✗ Start container failed after 0.3 s: port in use'),
      sys(6, '▶ Publish route'),
    ]);
    expect(steps).toEqual([
      { title: 'Pull image', state: 'done', seq: 1, took: '1.2 s', reason: null },
      { title: 'Start container', state: 'failed', seq: 4, took: '0.3 s', reason: 'port in use' },
      { title: 'Publish route', state: 'running', seq: 6, took: null, reason: null },
    ]);
  });

  it('marks steps still running when the job finished as failed', () => {
    const steps = deriveSteps([sys(1, '▶ Build')]);
    expect(closeSteps(steps, false)[0]?.state).toBe('running');
    expect(closeSteps(steps, true)[0]?.state).toBe('failed');
  });
});
