import path from 'node:path';
import {
  modelFileOf,
  readPrivateFile,
  removePrivateFile,
  writePrivateFile,
} from '../../integrations/compose/model-file.js';
import type { ComposePlan } from './compose-plan.js';

/** The two files of a project's plan, as text (null: absent), to put back after a failed attempt. */
export interface PlanSnapshot {
  model: string | null;
  meta: string | null;
}

/**
 * The plan a compose project runs, under the data dir: `compose.json` (the model, passed to compose
 * with `-f`) and `plan.json` (service, ports, warnings) beside it.
 */
export function createPlanStore(dataDir: string) {
  const modelFile = (projectId: string) => modelFileOf(dataDir, projectId);
  const metaFile = (projectId: string) => path.join(path.dirname(modelFile(projectId)), 'plan.json');

  async function snapshot(projectId: string): Promise<PlanSnapshot> {
    return {
      model: await readPrivateFile(modelFile(projectId)),
      meta: await readPrivateFile(metaFile(projectId)),
    };
  }

  async function put(file: string, text: string | null): Promise<void> {
    if (text === null) await removePrivateFile(file);
    else await writePrivateFile(file, text);
  }

  return {
    modelFile,
    snapshot,
    /** Write the plan's model and its summary (each atomically, 0600). */
    async save(projectId: string, plan: ComposePlan): Promise<void> {
      const { model, ...meta } = plan;
      await writePrivateFile(modelFile(projectId), `${JSON.stringify(model, null, 2)}\n`);
      await writePrivateFile(metaFile(projectId), `${JSON.stringify(meta, null, 2)}\n`);
    },
    /** Put back what a snapshot held (absent files are removed). */
    async restore(projectId: string, snap: PlanSnapshot): Promise<void> {
      await put(modelFile(projectId), snap.model);
      await put(metaFile(projectId), snap.meta);
    },
    /** Forget the plan (teardown): its files may hold resolved secrets. */
    async remove(projectId: string): Promise<void> {
      await put(modelFile(projectId), null);
      await put(metaFile(projectId), null);
    },
    /** The stored plan, or null when the project never ran one. */
    async load(projectId: string): Promise<ComposePlan | null> {
      const snap = await snapshot(projectId);
      if (snap.model === null || snap.meta === null) return null;
      return { ...(JSON.parse(snap.meta) as Omit<ComposePlan, 'model'>), model: JSON.parse(snap.model) };
    },
  };
}

export type PlanStore = ReturnType<typeof createPlanStore>;
