import path from 'node:path';
import { modelDirOf, removePrivateFile, writePrivateFile } from '../../integrations/compose/model-file.js';

/**
 * The stack file a project's deploy runs: `<data>/compose/<projectId>/stack.json`, beside the panel's
 * other model files (0600, written without following a symlink: it holds the resolved environment),
 * never in the user's folder.
 */
export const stackFileOf = (dataDir: string, projectId: string): string =>
  path.join(modelDirOf(dataDir, projectId), 'stack.json');

/** Write the stack file; resolves to its path. */
export async function writeStackFile(dataDir: string, projectId: string, model: unknown): Promise<string> {
  const file = stackFileOf(dataDir, projectId);
  await writePrivateFile(file, `${JSON.stringify(model, null, 2)}\n`);
  return file;
}

/** The stack file removed (teardown, a failed first deploy). */
export const removeStackFile = (dataDir: string, projectId: string): Promise<void> =>
  removePrivateFile(stackFileOf(dataDir, projectId));
