import { describe, expect, it } from 'vitest';
import { convergence } from './swarm-converge.js';
import type { ServiceInfo, TaskInfo } from './swarm-services.js';

// Shapes as Engine 26 returns them: the service's TaskTemplate carries `Runtime`, its tasks' Spec does not.
const container = { Image: 'warp-test/busybox:latest', Env: ['A=b'], Init: true, Isolation: 'default' };
const template = (image = container.Image) => ({
  ContainerSpec: { ...container, Image: image },
  RestartPolicy: { Condition: 'any', Delay: 5e9, MaxAttempts: 0 },
  Placement: { Preferences: [{ Spread: { SpreadDescriptor: 'node.id' } }] },
  Networks: [{ Target: 'net1' }],
  ForceUpdate: 0,
});
const service = (o: Partial<ServiceInfo> = {}, image?: string): ServiceInfo => ({
  ID: 's1',
  Version: { Index: 10 },
  Spec: {
    Name: 'web',
    Labels: {},
    TaskTemplate: { ...template(image), Runtime: 'container' },
    Mode: { Replicated: { Replicas: 2 } },
  },
  ...o,
});
let n = 0;
const task = (state: string, o: { desired?: string; image?: string; err?: string } = {}): TaskInfo => {
  const { Placement: _placement, ...spec } = template(o.image);
  n++;
  return {
    ID: `t${n}`,
    ServiceID: 's1',
    NodeID: 'n1',
    Slot: n,
    DesiredState: o.desired ?? 'running',
    CreatedAt: `2026-01-01T00:00:0${n}Z`,
    UpdatedAt: `2026-01-01T00:00:0${n}Z`,
    Spec: spec,
    Status: { State: state, ...(o.err ? { Err: o.err } : {}) },
  };
};

describe('convergence of a service', () => {
  it('is done when the wanted replicas run the current spec (Runtime and Placement aside)', () => {
    expect(convergence(service(), [task('running'), task('running')], 2)).toMatchObject({ done: true });
    expect(convergence(service(), [task('running'), task('starting')], 2)).toMatchObject({
      done: false,
      failed: null,
      waiting: '1 of 2 task(s) running; a task is starting',
    });
  });

  it('does not count tasks of the previous spec, so a check right after an update cannot pass on them', () => {
    const updated = service({ PreviousSpec: {} }, 'warp-test/busybox:v2');
    const old = [task('running'), task('running')];
    expect(convergence(updated, old, 2)).toMatchObject({ done: false, waiting: '0 of 2 task(s) running' });
    const rolled = [
      task('running', { image: 'warp-test/busybox:v2' }),
      task('running', { image: 'warp-test/busybox:v2' }),
    ];
    expect(convergence(updated, [...rolled, task('running', { desired: 'shutdown' })], 2)).toMatchObject({
      done: true,
    });
    expect(convergence({ ...updated, UpdateStatus: { State: 'updating' } }, rolled, 2)).toMatchObject({
      done: false,
      waiting: 'update updating',
    });
  });

  it('fails on a rolled-back or paused update and on tasks that keep failing', () => {
    const back = service({
      UpdateStatus: { State: 'rollback_completed', Message: 'update rolled back due to failure' },
    });
    expect(convergence(back, [task('running'), task('running')], 2)).toMatchObject({
      done: false,
      failed: 'update rollback completed: update rolled back due to failure',
    });
    const failing = [1, 2, 3].map(() => task('failed', { err: 'task: non-zero exit (3)' }));
    expect(convergence(service(), failing, 2)).toMatchObject({
      done: false,
      failed: 'tasks keep failing: task: non-zero exit (3)',
    });
  });
});
