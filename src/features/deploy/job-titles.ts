import type { ProjectRow } from '../../db/schema.js';

const KIND_WORDS: Record<ProjectRow['kind'], string> = {
  quick: 'quick service',
  existing: 'compose project',
  template: 'from a template',
  forward: 'forward',
};

/** Project actions that queue a job, as the title's verb. */
export type ProjectAction = 'deploy' | 'redeploy' | 'delete' | 'stop' | 'start' | 'restart';

const VERB: Record<ProjectAction, string> = {
  deploy: 'Deploy',
  redeploy: 'Redeploy',
  delete: 'Remove',
  stop: 'Stop',
  start: 'Start',
  restart: 'Restart',
};

/** What people call a project: its hostname when it has one, else its name. */
const labelOf = (p: Pick<ProjectRow, 'name' | 'hostname'>): string => p.hostname ?? p.name;

/**
 * `Job.title` for a project's job, a sentence for people: "Deploy draw.example.com (quick service)",
 * "Publish port 3000 at app.example.com", "Redeploy draw.example.com", "Remove draw (draw.example.com)".
 */
export function projectJobTitle(
  action: ProjectAction,
  p: Pick<ProjectRow, 'name' | 'hostname' | 'kind' | 'host_port'>,
): string {
  if (p.kind === 'forward' && (action === 'deploy' || action === 'redeploy')) {
    return `Publish port ${p.host_port} at ${labelOf(p)}`;
  }
  if (action === 'deploy') return `Deploy ${labelOf(p)} (${KIND_WORDS[p.kind]})`;
  if (action === 'delete') return `Remove ${p.name}${p.hostname ? ` (${p.hostname})` : ''}`;
  return `${VERB[action]} ${labelOf(p)}`;
}

/** `Job.title` of a host folder's compose action. */
export const hostRepoJobTitle = (action: 'stop' | 'restart', name: string): string =>
  `${action === 'stop' ? 'Stop' : 'Restart'} the compose project in ${name}`;
