import type { Job } from '../api/types.js';

// What a job type does, in words: for a job whose title the server only derived from its type ("Backup
// verify", or "Docker run" on a row older than titles).
const WORDS: Record<string, string> = {
  docker_run: 'Deploy a quick service',
  docker_compose_up: 'Deploy a compose project',
  template_create: 'Create a project from a template',
  forward: 'Publish a port',
  redeploy: 'Redeploy',
  teardown: 'Remove a project',
  compose_stop: 'Stop a compose project',
  compose_restart: 'Restart a compose project',
  project_stop: 'Stop',
  project_start: 'Start',
  project_restart: 'Restart',
  backup: 'Back up',
  backup_restore: 'Restore a backup',
  backup_verify: 'Check a backup',
};

/** "docker_run" → "Docker run": what a server says when it has no better title. */
const typeWords = (type: string): string => {
  const w = type.replace(/[_-]+/g, ' ').trim();
  return w ? `${w[0]?.toUpperCase()}${w.slice(1)}` : 'Job';
};

/**
 * A job as people read it: its `title` when the server gave a real one, else words for its type, with the
 * project's name when known ("Redeploy draw"). Never the bare type (`docker_run`).
 */
export function jobTitle(
  job: Pick<Job, 'type'> & { title?: string | undefined },
  projectName?: string | null,
): string {
  if (job.title && job.title !== typeWords(job.type)) return job.title;
  const words = WORDS[job.type] ?? typeWords(job.type);
  if (!projectName) return words;
  // A bare verb takes the project as its object ("Redeploy draw"); a phrase names it after.
  return /^(\S+|Back up)$/.test(words) ? `${words} ${projectName}` : `${words} (${projectName})`;
}
