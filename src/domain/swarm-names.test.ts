import { describe, expect, it } from 'vitest';
import {
  isValidSwarmName,
  nextFreeServiceName,
  nodeLabelConstraints,
  parseReplicas,
  resourceLimits,
  swarmServiceName,
} from './swarm-names.js';

describe('Swarm service names', () => {
  it('follow swarmkit: a DNS name component of at most 63 characters', () => {
    for (const ok of ['web', 'a', 'my-app', 'my_app', 'a1-b2_c3', 'x'.repeat(63)])
      expect(isValidSwarmName(ok)).toBe(true);
    for (const bad of ['', '-web', 'web-', 'my.app', 'we b', 'x'.repeat(64), 'web_']) {
      expect(isValidSwarmName(bad), bad).toBe(false);
    }
  });

  it('are made from container-style names, always valid', () => {
    expect(swarmServiceName('excalidraw')).toBe('excalidraw');
    expect(swarmServiceName('My.App')).toBe('my-app');
    expect(swarmServiceName('..')).toBe('app');
    expect(swarmServiceName('a'.repeat(80))).toHaveLength(59);
    for (const s of ['x.y.z', '__a__', 'a-.-b', 'A_B.C', '9lives'])
      expect(isValidSwarmName(swarmServiceName(s))).toBe(true);
  });

  it('take the first free -N suffix', () => {
    expect(nextFreeServiceName('web', new Set())).toBe('web');
    expect(nextFreeServiceName('web', new Set(['web', 'web-2']))).toBe('web-3');
  });
});

describe('placement and limits', () => {
  it('turn node labels into constraints and refuse expression characters', () => {
    expect(nodeLabelConstraints({ zone: 'a', 'disk.type': 'ssd' })).toEqual([
      'node.labels.zone==a',
      'node.labels.disk.type==ssd',
    ]);
    for (const bad of <Record<string, string>[]>[
      { zone: 'a!=b' },
      { 'zo ne': 'a' },
      { zone: 'a,node.role==manager' },
      { zone: '' },
    ]) {
      expect(() => nodeLabelConstraints(bad)).toThrow(/invalid placement/);
    }
  });

  it('convert cpus and memory into the engine units, within the engine limits', () => {
    expect(resourceLimits({ cpus: 0.5, memoryMb: 256 })).toEqual({
      NanoCPUs: 500_000_000,
      MemoryBytes: 268_435_456,
    });
    expect(resourceLimits({})).toEqual({});
    expect(() => resourceLimits({ memoryMb: 4 })).toThrow(/invalid resource/);
    expect(() => resourceLimits({ cpus: 0 })).toThrow(/invalid resource/);
  });

  it('accept 1–100 replicas', () => {
    expect(parseReplicas(2)).toBe(2);
    for (const bad of [0, 101, 1.5, '2']) expect(() => parseReplicas(bad)).toThrow(/replicas/);
  });
});
