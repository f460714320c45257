import type Docker from 'dockerode';
import { containerName, LABEL_COMPOSE_PROJECT, LABEL_MANAGED } from './docker-labels.js';

/** API.md's Container. */
export interface ContainerView {
  id: string;
  name: string;
  image: string;
  /** The image's content digest (`sha256:…`): what runs, whatever the tag now points at. */
  imageId: string;
  state: 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead' | 'removing';
  status: string;
  createdAt: string;
  ports: { hostIp: string | null; hostPort: number | null; containerPort: number; protocol: string }[];
  projectId: string | null;
  composeProject: string | null;
  managed: boolean;
}

/** A volume scoped to a project. */
export interface VolumeView {
  name: string;
  driver: string;
  createdAt: string | null;
  labels: Record<string, string>;
}

/** An image scoped to a project. */
export interface ImageView {
  id: string;
  tags: string[];
  size: number;
  createdAt: string;
}

/** Engine container summary → API shape; `projectId` is resolved by the caller (labels + DB). */
export function toContainerView(c: Docker.ContainerInfo, projectId: string | null): ContainerView {
  const labels = c.Labels ?? {};
  return {
    id: c.Id,
    name: containerName(c.Names),
    image: c.Image,
    imageId: c.ImageID,
    state: c.State as ContainerView['state'],
    status: c.Status,
    createdAt: new Date(c.Created * 1000).toISOString(),
    ports: (c.Ports ?? []).map((p) => ({
      hostIp: p.IP ?? null,
      hostPort: p.PublicPort ?? null,
      containerPort: p.PrivatePort,
      protocol: p.Type,
    })),
    projectId,
    composeProject: labels[LABEL_COMPOSE_PROJECT] ?? null,
    managed: labels[LABEL_MANAGED] === 'true',
  };
}

/** Engine volume → API shape. */
export const toVolumeView = (v: Docker.VolumeInspectInfo & { CreatedAt?: string }): VolumeView => ({
  name: v.Name,
  driver: v.Driver,
  createdAt: v.CreatedAt ?? null,
  labels: v.Labels ?? {},
});

/** Engine image summary → API shape. */
export const toImageView = (i: Docker.ImageInfo): ImageView => ({
  id: i.Id,
  tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
  size: i.Size,
  createdAt: new Date(i.Created * 1000).toISOString(),
});
