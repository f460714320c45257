import type { ProjectRow } from '../../db/schema.js';
import { envProblems } from '../../domain/env-vars.js';
import { type ErrorDetail, validationError } from '../../domain/errors.js';
import { isValidContainerName, parseImageReference } from '../../domain/image-reference.js';
import { parseSubdomain } from '../../domain/subdomain.js';
import { parseReplicas } from '../../domain/swarm-names.js';
import { nextPlacement, type ProjectSpec } from './projects.view.js';

/** `PATCH /api/v1/projects/:id` body: the fields of the create request; they apply at the next deploy. */
export interface ProjectEditRequest {
  image?: string | undefined;
  containerPort?: number | undefined;
  env?: Record<string, string> | undefined;
  subdomain?: string | undefined;
  name?: string | undefined;
  service?: string | undefined;
  branch?: string | undefined;
  autoDeploy?: boolean | undefined;
  /** Forwards: the host port they publish. */
  port?: number | undefined;
  /** Move the project to the other target at its next deploy (quick services and compose projects). */
  target?: 'host' | 'swarm' | undefined;
  /** Replicas on Swarm (the project's target, or the one it moves to, must be `swarm`). */
  replicas?: number | undefined;
}

/** Which kinds of project a field belongs to, in words for the error. */
const FIELD_KINDS: Record<string, { kinds: ProjectRow['kind'][]; repo?: boolean; words: string }> = {
  image: { kinds: ['quick'], words: 'only a quick service runs an image' },
  containerPort: { kinds: ['quick'], words: 'only a quick service has a container port to set' },
  env: { kinds: ['quick'], words: 'only a quick service takes env here; a compose project reads its own' },
  service: { kinds: ['existing', 'template'], words: 'only a compose project has services' },
  branch: {
    kinds: ['existing', 'template'],
    repo: true,
    words: 'only a project from a repository has a branch',
  },
  autoDeploy: {
    kinds: ['existing', 'template'],
    repo: true,
    words: 'only a project from a repository can deploy on push',
  },
  port: { kinds: ['forward'], words: 'only a forward publishes a host port it does not own' },
  target: {
    kinds: ['quick', 'existing', 'template'],
    words: 'a forward publishes a port of this host: it cannot move to Swarm',
  },
  replicas: {
    kinds: ['quick', 'existing', 'template'],
    words: 'a forward publishes a port of this host: it has no replicas',
  },
};

/** Where the edit leaves the project's next deploy: its target and replicas. */
export function editedPlacement(
  row: ProjectRow,
  body: Pick<ProjectEditRequest, 'target' | 'replicas'>,
): { target: 'host' | 'swarm'; replicas: number | null } {
  const next = nextPlacement(parseSpec(row), row);
  const target = body.target ?? next.target;
  if (target === 'host') return { target, replicas: null };
  const keep = target === next.target ? next.replicas : null;
  return { target, replicas: body.replicas ?? keep ?? 1 };
}

const parseSpec = (row: ProjectRow): ProjectSpec => {
  try {
    return JSON.parse(row.spec) as ProjectSpec;
  } catch {
    return {};
  }
};

/** A git branch name a person would type (git check-ref-format's common rules). */
const BRANCH = /^(?!\/|.*(?:\/\/|\.\.|@\{|\/$|\.lock$|\.$))[A-Za-z0-9._/-]{1,200}$/;
/** A compose service name (compose's own rule). */
const SERVICE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Every problem of an edit for this project, each on its field (400 with all of them at once). */
export function editProblems(row: ProjectRow, body: ProjectEditRequest): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const check = (path: string, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      const details = (error as { details?: ErrorDetail[] }).details;
      problems.push(...(details ?? [{ path, message: (error as Error).message }]));
    }
  };
  if (Object.values(body).every((v) => v === undefined)) {
    problems.push({ path: '', message: 'send at least one field to change' });
  }
  for (const [field, rule] of Object.entries(FIELD_KINDS)) {
    if ((body as Record<string, unknown>)[field] === undefined) continue;
    if (!rule.kinds.includes(row.kind) || (rule.repo && !row.repo_owner)) {
      problems.push({ path: field, message: rule.words });
    }
  }
  if (body.image !== undefined) check('image', () => parseImageReference(body.image!));
  if (body.subdomain !== undefined) check('subdomain', () => parseSubdomain(body.subdomain!));
  if (body.env !== undefined) problems.push(...envProblems(body.env));
  const placed = row.kind === 'forward' ? null : editedPlacement(row, body);
  if (body.replicas !== undefined && placed?.target === 'host') {
    problems.push({
      path: 'replicas',
      message: 'only with "target": "swarm" (this project runs on the host)',
    });
  } else if (body.replicas !== undefined) {
    check('replicas', () => parseReplicas(body.replicas));
  }
  const moving = placed !== null && body.target !== undefined && body.target !== row.target;
  if (body.name !== undefined && moving) {
    problems.push({ path: 'name', message: 'move the project and rename it in two separate edits' });
  } else if (body.name !== undefined && row.kind === 'quick' && row.target === 'swarm') {
    problems.push({
      path: 'name',
      message: 'a Swarm service keeps the name it was created with (its DNS name on the overlay network)',
    });
  } else if (body.name !== undefined && row.kind === 'quick' && !isValidContainerName(body.name)) {
    problems.push({
      path: 'name',
      message:
        'use letters, digits, "_", "." and "-", starting with a letter or digit (at least 2 characters)',
    });
  }
  if (body.branch !== undefined && !BRANCH.test(body.branch)) {
    problems.push({ path: 'branch', message: 'is not a branch name git accepts' });
  }
  if (body.service !== undefined && !SERVICE.test(body.service)) {
    problems.push({ path: 'service', message: 'is not a compose service name' });
  }
  return problems;
}

/** Refuse an edit with all its problems; nothing is changed. */
export function assertEditable(row: ProjectRow, body: ProjectEditRequest): void {
  const problems = editProblems(row, body);
  if (problems.length > 0) throw validationError('the changes are invalid', problems);
}
