import fs from 'node:fs/promises';
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
  /** The folder of one release's files while it runs (a compose project name: `[a-z0-9_-]`). */
  const releaseDir = (projectId: string, composeProject: string) => {
    if (!/^[a-z0-9][a-z0-9_-]{0,100}$/.test(composeProject)) throw new Error('invalid compose project name');
    return path.join(path.dirname(modelFile(projectId)), 'releases', composeProject);
  };
  const releaseFile = (projectId: string, composeProject: string) =>
    path.join(releaseDir(projectId, composeProject), 'compose.json');

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

  async function write(model: string, meta: string, plan: ComposePlan): Promise<void> {
    const { model: m, ...rest } = plan;
    await writePrivateFile(model, `${JSON.stringify(m, null, 2)}\n`);
    await writePrivateFile(meta, `${JSON.stringify(rest, null, 2)}\n`);
  }

  return {
    modelFile,
    releaseFile,
    snapshot,
    /** Write the plan's model and its summary (each atomically, 0600): the plan that runs now. */
    save: (projectId: string, plan: ComposePlan) => write(modelFile(projectId), metaFile(projectId), plan),
    /**
     * Write a release's plan beside the live one (`releases/<composeProject>/`): a blue/green release
     * runs from there until it is live, and the release it replaces is taken down from its own.
     */
    saveRelease: (projectId: string, plan: ComposePlan) =>
      write(
        releaseFile(projectId, plan.composeProject),
        path.join(releaseDir(projectId, plan.composeProject), 'plan.json'),
        plan,
      ),
    /** A release's plan as written by `saveRelease`, or null. */
    async loadRelease(projectId: string, composeProject: string): Promise<ComposePlan | null> {
      const dir = releaseDir(projectId, composeProject);
      const model = await readPrivateFile(path.join(dir, 'compose.json'));
      const meta = await readPrivateFile(path.join(dir, 'plan.json'));
      if (model === null || meta === null) return null;
      return { ...(JSON.parse(meta) as Omit<ComposePlan, 'model'>), model: JSON.parse(model) };
    },
    /** A release's plan files go (it was taken down). */
    async removeRelease(projectId: string, composeProject: string): Promise<void> {
      await fs.rm(releaseDir(projectId, composeProject), { recursive: true, force: true });
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
      await fs.rm(path.join(path.dirname(modelFile(projectId)), 'releases'), {
        recursive: true,
        force: true,
      });
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
