/**
 * Turns the engine's pull message stream (`POST /images/create`, one JSON object a line) into a few
 * human log lines: one per layer state change, at most one "downloading" line per layer per quarter
 * of its size, the final `Digest:` and `Status:` lines and a total. Pure: time comes in as `at` (ms).
 */

/** One message of the engine's pull stream. */
export interface PullMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number; hidecounts?: boolean };
  error?: string;
  errorDetail?: { code?: number; message?: string };
}

/** What a layer is doing, as far as the log is concerned. */
export type LayerPhase = 'waiting' | 'downloading' | 'downloaded' | 'extracting' | 'done' | 'exists';

/** One layer's progress. */
export interface LayerState {
  phase: LayerPhase;
  /** Download size in bytes once the engine reported it. */
  total: number | null;
  /** The last quarter (0–3) a "downloading" line was written for; -1 before the first. */
  quarter: number;
  /** The last status outside the known ones that was logged. */
  note?: string;
}

/** The reducer's state. */
export interface PullState {
  startedAt: number | null;
  layers: Record<string, LayerState>;
  /** Layer ids in the order they first appeared. */
  order: string[];
  digest: string | null;
  status: string | null;
  /** The engine's error message, when the stream reported one. */
  error: string | null;
  /** Raw messages seen. */
  messages: number;
  /** The last line written without a layer id (to drop repeats). */
  lastLine: string | null;
}

/** The state before the first message; `startedAt` defaults to the first message's time. */
export const initialPullState = (startedAt: number | null = null): PullState => ({
  startedAt,
  layers: {},
  order: [],
  digest: null,
  status: null,
  error: null,
  messages: 0,
  lastLine: null,
});

/** Bytes as the engine prints them (decimal units): `512 B`, `12.3 kB`, `4.5 MB`, `1.20 GB`. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

/** `current` of `total` in the total's unit: `1.2 of 4.5 MB`. */
export function formatOf(current: number, total: number): string {
  const [div, unit, digits] =
    total >= 1e9
      ? [1e9, 'GB', 2]
      : total >= 1e6
        ? [1e6, 'MB', 1]
        : total >= 1e3
          ? [1e3, 'kB', 1]
          : [1, 'B', 0];
  return `${(current / div).toFixed(digits)} of ${(total / div).toFixed(digits)} ${unit}`;
}

/** Short layer id as the engine prints it (12 characters). */
const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

/** Engine layer status → phase; null for statuses that are not a state change worth a line. */
function phaseOf(status: string): LayerPhase | null {
  switch (status) {
    case 'Pulling fs layer':
    case 'Waiting':
      return 'waiting';
    case 'Downloading':
      return 'downloading';
    case 'Verifying Checksum':
      return null;
    case 'Download complete':
      return 'downloaded';
    case 'Extracting':
      return 'extracting';
    case 'Pull complete':
      return 'done';
    case 'Already exists':
      return 'exists';
    default:
      return null;
  }
}

/** A layer id is hex (12 or 64 characters); `Pulling from x` carries the tag as its id instead. */
const isLayerId = (id: string | undefined): id is string =>
  typeof id === 'string' && /^(sha256:)?[0-9a-f]{12,64}$/.test(id);

/** Result of one reducer step: the next state and the lines to log. */
export interface PullStep {
  state: PullState;
  lines: string[];
}

function layerLine(id: string, layer: LayerState, msg: PullMessage): string | null {
  switch (layer.phase) {
    case 'waiting':
      return `${shortId(id)}: waiting`;
    case 'downloading': {
      const current = msg.progressDetail?.current;
      if (layer.total && typeof current === 'number')
        return `${shortId(id)}: downloading ${formatOf(current, layer.total)}`;
      return `${shortId(id)}: downloading`;
    }
    case 'downloaded':
      return layer.total
        ? `${shortId(id)}: downloaded ${formatBytes(layer.total)}`
        : `${shortId(id)}: downloaded`;
    case 'extracting':
      return `${shortId(id)}: extracting`;
    case 'done':
      return `${shortId(id)}: done`;
    case 'exists':
      return `${shortId(id)}: already exists`;
  }
}

/** Feed one engine message; returns the next state (the input is not changed) and the lines to log. */
export function reducePullMessage(prev: PullState, msg: PullMessage, at: number): PullStep {
  const state: PullState = {
    ...prev,
    layers: { ...prev.layers },
    order: prev.order,
    messages: prev.messages + 1,
    startedAt: prev.startedAt ?? at,
  };
  const lines: string[] = [];
  const status = typeof msg.status === 'string' ? msg.status.trim() : '';

  if (msg.error || msg.errorDetail?.message) {
    state.error = (msg.errorDetail?.message ?? msg.error ?? '').trim() || 'pull failed';
    return { state, lines };
  }

  if (isLayerId(msg.id)) {
    const id = msg.id;
    const phase = phaseOf(status);
    const before = state.layers[id];
    if (!before) state.order = [...state.order, id];
    if (phase === null) {
      // "Verifying Checksum" says nothing new; a status a newer engine may add is logged once per change.
      const layer: LayerState = before ? { ...before } : { phase: 'waiting', total: null, quarter: -1 };
      if (status && status !== 'Verifying Checksum' && layer.note !== status) {
        lines.push(`${shortId(id)}: ${status.toLowerCase()}`);
        layer.note = status;
      }
      state.layers[id] = layer;
      return { state, lines };
    }
    const total =
      phase === 'downloading' && typeof msg.progressDetail?.total === 'number' && msg.progressDetail.total > 0
        ? msg.progressDetail.total
        : (before?.total ?? null);
    let quarter = before?.quarter ?? -1;
    let emit = before?.phase !== phase;
    if (phase === 'downloading') {
      const current = msg.progressDetail?.current;
      const q = total && typeof current === 'number' ? Math.min(3, Math.floor((current / total) * 4)) : 0;
      emit = q > quarter;
      quarter = Math.max(quarter, q);
    }
    // A layer never goes back to "waiting" once it moved on (the engine repeats "Waiting" on retries).
    if (phase === 'waiting' && before && before.phase !== 'waiting') emit = false;
    const layer: LayerState = { phase: phase === 'waiting' && before ? before.phase : phase, total, quarter };
    if (before?.note) layer.note = before.note;
    state.layers[id] = layer;
    if (emit) {
      const line = layerLine(id, layer, msg);
      if (line) lines.push(line);
    }
    return { state, lines };
  }

  if (status.startsWith('Digest:')) {
    state.digest = status.slice('Digest:'.length).trim();
    lines.push(status);
  } else if (status.startsWith('Status:')) {
    state.status = status.slice('Status:'.length).trim();
    lines.push(status);
  } else if (status) {
    const line = msg.id && !status.includes(msg.id) ? `${status} (${msg.id})` : status;
    if (line !== state.lastLine) lines.push(line);
    state.lastLine = line;
  }
  return { state, lines };
}

/** Totals of a finished pull. */
export interface PullSummary {
  /** Layers downloaded by this pull. */
  pulled: number;
  /** Layers that were already present. */
  present: number;
  /** Bytes downloaded (sum of the sizes the engine reported). */
  bytes: number;
  durationMs: number;
}

/** Totals so far. */
export function pullSummary(state: PullState, at: number): PullSummary {
  let pulled = 0;
  let present = 0;
  let bytes = 0;
  for (const id of state.order) {
    const layer = state.layers[id];
    if (!layer) continue;
    if (layer.phase === 'exists') present++;
    else {
      pulled++;
      bytes += layer.total ?? 0;
    }
  }
  return {
    pulled,
    present,
    bytes,
    durationMs: state.startedAt === null ? 0 : Math.max(0, at - state.startedAt),
  };
}

/** The closing line: `pulled 3 layers, 12.4 MB in 2.1 s` (plus `, 1 already present`). */
export function summaryLine(s: PullSummary): string {
  const layers = `${s.pulled} layer${s.pulled === 1 ? '' : 's'}`;
  const present = s.present > 0 ? `, ${s.present} already present` : '';
  return `pulled ${layers}, ${formatBytes(s.bytes)} in ${(s.durationMs / 1000).toFixed(1)} s${present}`;
}

/** Lines to write when the stream ended without an error: the total. */
export function finishPull(state: PullState, at: number): string[] {
  return [summaryLine(pullSummary(state, at))];
}

/** Reduce a whole recorded stream: the final state and every line, the total included. */
export function reducePullStream(
  messages: Iterable<PullMessage>,
  clock: { start: number; end: number },
): { state: PullState; lines: string[] } {
  let state = initialPullState();
  const lines: string[] = [];
  for (const msg of messages) {
    const step = reducePullMessage(state, msg, clock.start);
    state = step.state;
    lines.push(...step.lines);
  }
  if (state.error === null) lines.push(...finishPull(state, clock.end));
  return { state, lines };
}
