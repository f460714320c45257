import type { Project } from '../api/types.js';
import { CopyButton } from './copy-button.js';

/** The live moment: "Open https://…" and copy buttons for the address and the host port. */
export function LiveLinks({ project }: { project: Pick<Project, 'url' | 'hostPort'> }) {
  if (!project.url && project.hostPort === null) return null;
  return (
    <div className="actions live-links" data-testid="live-links">
      {project.url && (
        <>
          <a className="btn btn-primary" href={project.url} target="_blank" rel="noreferrer noopener">
            Open {project.url}
          </a>
          <CopyButton text={project.url} label="Copy URL" />
        </>
      )}
      {project.hostPort !== null && (
        <CopyButton text={String(project.hostPort)} label={`Copy port ${project.hostPort}`} />
      )}
    </div>
  );
}
