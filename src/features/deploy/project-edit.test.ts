import { describe, expect, it } from 'vitest';
import type { ProjectRow } from '../../db/schema.js';
import { editedPlacement, editProblems } from './project-edit.js';

const row = (over: Partial<ProjectRow> = {}): ProjectRow =>
  ({
    id: 'p1',
    name: 'web',
    kind: 'quick',
    target: 'host',
    replicas: null,
    spec: '{}',
    repo_owner: null,
    ...over,
  }) as ProjectRow;

const paths = (r: ProjectRow, body: Parameters<typeof editProblems>[1]) =>
  editProblems(r, body).map((p) => p.path);

describe('PATCH target and replicas', () => {
  it('accepts a move to the Swarm with replicas, for quick services and compose projects', () => {
    expect(editProblems(row(), { target: 'swarm', replicas: 3 })).toEqual([]);
    expect(editProblems(row({ kind: 'existing' }), { target: 'swarm' })).toEqual([]);
    expect(
      editProblems(row({ kind: 'template', repo_owner: 'me' }), { target: 'swarm', replicas: 2 }),
    ).toEqual([]);
    expect(editProblems(row({ target: 'swarm', replicas: 2 }), { target: 'host' })).toEqual([]);
  });

  it('refuses a forward, replicas on the host, bad replica counts and a rename with a move', () => {
    expect(paths(row({ kind: 'forward' }), { target: 'swarm' })).toEqual(['target']);
    expect(paths(row({ kind: 'forward' }), { replicas: 2 })).toEqual(['replicas']);
    expect(editProblems(row(), { replicas: 2 })).toEqual([
      { path: 'replicas', message: expect.stringMatching(/only with "target": "swarm"/) },
    ]);
    expect(paths(row({ target: 'swarm', replicas: 2 }), { target: 'host', replicas: 2 })).toEqual([
      'replicas',
    ]);
    expect(paths(row(), { target: 'swarm', replicas: 0 })).toEqual(['replicas']);
    expect(paths(row(), { target: 'swarm', replicas: 2.5 })).toEqual(['replicas']);
    expect(paths(row(), { target: 'swarm', name: 'other' })).toEqual(['name']);
  });

  it('takes replicas alone for a project on the Swarm or one whose move to it waits', () => {
    expect(editProblems(row({ target: 'swarm', replicas: 2 }), { replicas: 4 })).toEqual([]);
    const waiting = row({ spec: JSON.stringify({ move: { target: 'swarm', replicas: 2 } }) });
    expect(editProblems(waiting, { replicas: 4 })).toEqual([]);
    expect(editedPlacement(waiting, { replicas: 4 })).toEqual({ target: 'swarm', replicas: 4 });
  });

  it('works out where the next deploy runs the project', () => {
    expect(editedPlacement(row(), { target: 'swarm' })).toEqual({ target: 'swarm', replicas: 1 });
    expect(editedPlacement(row({ target: 'swarm', replicas: 3 }), { target: 'swarm' })).toEqual({
      target: 'swarm',
      replicas: 3,
    });
    expect(editedPlacement(row({ target: 'swarm', replicas: 3 }), { target: 'host' })).toEqual({
      target: 'host',
      replicas: null,
    });
    const waiting = row({ spec: JSON.stringify({ move: { target: 'swarm', replicas: 2 } }) });
    expect(editedPlacement(waiting, {})).toEqual({ target: 'swarm', replicas: 2 });
    expect(editedPlacement(waiting, { target: 'host' })).toEqual({ target: 'host', replicas: null });
  });
});
