import type Docker from 'dockerode';
import { AppError, upstreamError } from '../../domain/errors.js';
import { type ImageReference, parseImageReference } from '../../domain/image-reference.js';
import { DOCKER_UPSTREAM, engineReason, toDomainError } from './docker-errors.js';
import {
  finishPull,
  initialPullState,
  type PullMessage,
  type PullState,
  type PullSummary,
  pullSummary,
  reducePullMessage,
} from './pull-progress.js';
import { DOCKER_HUB, type RegistryAuth, registryHostOf } from './registry-auth.js';
import { listRegistryTags } from './registry-check.js';
import {
  classifyPullMessage,
  type PullErrorContext,
  pullCanceledError,
  pullStalledError,
  toPullError,
} from './registry-errors.js';

/** Where pull progress lines go (a job's `ctx.log` fits). */
export interface PullLog {
  info(line: string): void;
  warn(line: string): void;
}

/** The part of dockerode a pull uses. */
export type PullDocker = Pick<Docker, 'createImage' | 'getImage'>;

/** Options of `pullImage`. */
export interface PullImageOptions {
  /** Credentials for the image's registry (`registryAuth(host, creds)`); none → anonymous pull. */
  auth?: RegistryAuth;
  log?: PullLog;
  /** Aborting destroys the pull stream and rejects (with the signal's AppError reason, if any). */
  signal?: AbortSignal;
  /** Fail when the engine sends nothing for this long (default 2 min). */
  stallTimeoutMs?: number;
  /**
   * On a missing manifest, ask the registry's tag list whether the repository exists, to tell an
   * unknown image from an unknown tag (default true).
   */
  lookupTags?: boolean;
  /** Clock for the progress total (tests). */
  now?: () => number;
}

/** What a pull produced. */
export interface PullResult {
  /** Local image id (`sha256:…`). */
  imageId: string;
  /** Repository digest for the pulled repository (`127.0.0.1:5000/warp/app@sha256:…`), if any. */
  digest: string | null;
  /** The engine's final status (`Downloaded newer image for …`, `Image is up to date for …`). */
  status: string | null;
  summary: PullSummary;
  /** Raw engine messages the pull received (the log got far fewer lines). */
  messages: number;
}

/** Default for `stallTimeoutMs`. */
export const PULL_STALL_TIMEOUT_MS = 120_000;

/** `registry/path` with Docker Hub's `docker.io` and `library/` made explicit, for comparing names. */
export function fullRepositoryName(ref: string | ImageReference): string {
  const parsed = typeof ref === 'string' ? parseImageReference(ref) : ref;
  const registry = registryHostOf(parsed);
  const path =
    registry === DOCKER_HUB && parsed.path.length === 1 ? ['library', ...parsed.path] : parsed.path;
  return `${registry}/${path.join('/')}`;
}

/** The repository digest of `repoDigests` that belongs to `ref`'s repository (prefer `want`). */
export function matchRepoDigest(
  repoDigests: readonly string[] | undefined,
  ref: string | ImageReference,
  want?: string | null,
): string | null {
  const target = fullRepositoryName(ref);
  const mine = (repoDigests ?? []).filter((d) => {
    const at = d.indexOf('@');
    if (at <= 0) return false;
    try {
      return fullRepositoryName(d.slice(0, at)) === target;
    } catch {
      return false;
    }
  });
  return mine.find((d) => want && d.endsWith(`@${want}`)) ?? mine[0] ?? null;
}

/** How the engine names what to pull: `fromImage` and the tag or digest. */
function pullTarget(parsed: ImageReference): { fromImage: string; tag: string; local: string } {
  if (parsed.digest)
    return { fromImage: parsed.name, tag: parsed.digest, local: `${parsed.name}@${parsed.digest}` };
  const tag = parsed.tag ?? 'latest';
  return { fromImage: parsed.name, tag, local: `${parsed.name}:${tag}` };
}

/**
 * Image id and repository digest of a local image. An image that was only built or imported here
 * (no repository digest for its repository) gives `digest: null`.
 */
export async function resolveImageDigest(
  docker: Pick<Docker, 'getImage'>,
  ref: string,
  want?: string | null,
): Promise<{ imageId: string; digest: string | null }> {
  const parsed = parseImageReference(ref);
  try {
    const info = await docker.getImage(pullTarget(parsed).local).inspect();
    return { imageId: info.Id, digest: matchRepoDigest(info.RepoDigests, parsed, want) };
  } catch (err) {
    throw toDomainError(err, `image ${ref}`);
  }
}

/**
 * Pull `ref` through the Engine API (`POST /images/create`, `X-Registry-Auth` when `auth` is given),
 * writing the reduced progress to `log`: per-layer state changes, the `Digest:` and `Status:` lines and
 * a total. Fails with an AppError naming image and registry (unauthorized, unknown image, unknown
 * tag, registry unreachable, stalled, canceled). Resolves the image id and repository digest.
 */
export async function pullImage(
  docker: PullDocker,
  ref: string,
  opts: PullImageOptions = {},
): Promise<PullResult> {
  const parsed = parseImageReference(ref);
  const target = pullTarget(parsed);
  const registry = registryHostOf(parsed);
  const ctx: PullErrorContext = {
    image: ref,
    registry,
    repository: fullRepositoryName(parsed).slice(registry.length + 1),
    tag: target.tag,
    withCredentials: opts.auth !== undefined,
  };
  const now = opts.now ?? Date.now;
  const stallMs = opts.stallTimeoutMs ?? PULL_STALL_TIMEOUT_MS;
  const log = opts.log;
  if (opts.signal?.aborted) throw pullCanceledError(opts.signal, ctx);

  // One signal for everything that ends the pull early: the caller's abort and the stall timer.
  const controller = new AbortController();
  const onAbort = () => controller.abort(pullCanceledError(opts.signal as AbortSignal, ctx));
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(pullStalledError(ctx, stallMs)), stallMs);
  };

  let state: PullState = initialPullState(now());
  try {
    arm();
    const stream = await untilAborted(
      docker.createImage(opts.auth, {
        fromImage: target.fromImage,
        tag: target.tag,
        abortSignal: controller.signal,
      }),
      controller.signal,
    );
    arm();
    await readPullStream(stream, controller.signal, arm, (msg) => {
      const step = reducePullMessage(state, msg, now());
      state = step.state;
      for (const l of step.lines) log?.info(l);
      return state.error;
    });
  } catch (err) {
    clearTimeout(timer);
    // A string is the engine's in-stream error message; AppErrors (stall, cancel) pass through.
    if (!(err instanceof AppError)) await addRepositoryHint(ctx, err, opts);
    throw toPullError(err, ctx);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }

  const at = now();
  for (const l of finishPull(state, at)) log?.info(l);
  const { imageId, digest } = await resolveImageDigest(docker, ref, state.digest);
  if (!digest) log?.warn(`no repository digest recorded for ${ref}`);
  return { imageId, digest, status: state.status, summary: pullSummary(state, at), messages: state.messages };
}

/** `work`, unless `signal` aborts first: then its reason. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onStop = () => reject(signal.reason);
    signal.addEventListener('abort', onStop, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onStop);
        if (signal.aborted) {
          (v as { destroy?: () => void } | null)?.destroy?.();
          reject(signal.reason);
        } else resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onStop);
        reject(signal.aborted ? signal.reason : err);
      },
    );
  });
}

/**
 * Read the engine's NDJSON progress stream, handing each message to `onMessage` (which returns the
 * engine's error message once one arrived). Resolves at the end of the stream; rejects with that
 * error message (a string), with the signal's reason when it aborts (the stream is destroyed), or
 * with an AppError when the stream breaks.
 */
function readPullStream(
  stream: NodeJS.ReadableStream,
  signal: AbortSignal,
  onActivity: () => void,
  onMessage: (msg: PullMessage) => string | null,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let buf = '';
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onStop);
      if (err === undefined) return resolve();
      (stream as unknown as { destroy?: () => void }).destroy?.();
      reject(err);
    };
    const onStop = () => finish(signal.reason);
    if (signal.aborted) return finish(signal.reason);
    signal.addEventListener('abort', onStop, { once: true });
    const handle = (line: string) => {
      if (!line.trim()) return;
      let msg: PullMessage;
      try {
        msg = JSON.parse(line) as PullMessage;
      } catch {
        return;
      }
      const error = onMessage(msg);
      if (error !== null) finish(error);
    };
    stream.on('data', (chunk: Buffer | string) => {
      if (done) return;
      onActivity();
      buf += chunk.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0 && !done; nl = buf.indexOf('\n')) {
        handle(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    stream.on('end', () => {
      if (!done && buf) handle(buf);
      finish();
    });
    stream.on('error', (err: Error) =>
      finish(
        signal.aborted
          ? signal.reason
          : upstreamError(DOCKER_UPSTREAM, `the pull stream broke (${err.message})`, err),
      ),
    );
    stream.on('close', () =>
      finish(
        signal.aborted
          ? signal.reason
          : upstreamError(DOCKER_UPSTREAM, 'the engine ended the pull stream early'),
      ),
    );
  });
}

/** For a missing manifest, find out from the registry's tag list whether the repository exists. */
async function addRepositoryHint(ctx: PullErrorContext, raw: unknown, opts: PullImageOptions): Promise<void> {
  if (opts.lookupTags === false || opts.signal?.aborted) return;
  const message = typeof raw === 'string' ? raw : engineReason(raw);
  if (classifyPullMessage(message).kind !== 'unknown-manifest') return;
  const list = await listRegistryTags(ctx.registry, ctx.repository, opts.auth, {
    timeoutMs: 5_000,
    ...(opts.signal ? { signal: opts.signal } : {}),
  }).catch(() => null);
  if (!list) return;
  ctx.repositoryExists = list.exists;
  if (list.exists) ctx.knownTags = list.tags;
}
