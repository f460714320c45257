import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatOf,
  initialPullState,
  type PullMessage,
  reducePullMessage,
  reducePullStream,
  summaryLine,
} from './pull-progress.js';

const A = '0aaca34c9fdd';
const B = 'f9d28c192a30';
const C = '7b308c9fcada';

/** Downloading messages the way the engine sends them: many small steps of one layer. */
function downloading(id: string, total: number, steps: number, status = 'Downloading'): PullMessage[] {
  return Array.from({ length: steps }, (_, i) => {
    const current = Math.round(((i + 1) / steps) * total);
    return { status, progressDetail: { current, total }, progress: `[=>  ] ${current}/${total}`, id };
  });
}

/** A recorded-shape pull (Engine 26.1.5 from docker-registry 2.8): one layer present, two pulled. */
const recorded: PullMessage[] = [
  { status: 'Pulling from warp/app', id: 'v1' },
  { status: 'Already exists', progressDetail: {}, id: B },
  { status: 'Pulling fs layer', progressDetail: {}, id: A },
  { status: 'Pulling fs layer', progressDetail: {}, id: C },
  { status: 'Waiting', progressDetail: {}, id: C },
  ...downloading(A, 3_001_116, 80),
  { status: 'Verifying Checksum', progressDetail: {}, id: A },
  { status: 'Download complete', progressDetail: {}, id: A },
  ...downloading(A, 3_001_116, 40, 'Extracting'),
  { status: 'Pull complete', progressDetail: {}, id: A },
  ...downloading(C, 9_400_000, 200),
  { status: 'Verifying Checksum', progressDetail: {}, id: C },
  { status: 'Download complete', progressDetail: {}, id: C },
  ...downloading(C, 9_400_000, 90, 'Extracting'),
  { status: 'Pull complete', progressDetail: {}, id: C },
  { status: 'Digest: sha256:4d5bc2613e5fb331f589162dadb41fb5db661d5fdda53e80755818c793e3b6a7' },
  { status: 'Status: Downloaded newer image for 127.0.0.1:41985/warp/app:v1' },
];

describe('pull progress reducer', () => {
  it('turns a recorded stream into per-layer lines, Digest, Status and a total', () => {
    const { state, lines } = reducePullStream(recorded, { start: 1_000, end: 3_100 });
    expect(lines).toEqual([
      'Pulling from warp/app (v1)',
      `${B}: already exists`,
      `${A}: waiting`,
      `${C}: waiting`,
      `${A}: downloading 0.0 of 3.0 MB`,
      `${A}: downloading 0.8 of 3.0 MB`,
      `${A}: downloading 1.5 of 3.0 MB`,
      `${A}: downloading 2.3 of 3.0 MB`,
      `${A}: downloaded 3.0 MB`,
      `${A}: extracting`,
      `${A}: done`,
      `${C}: downloading 0.0 of 9.4 MB`,
      `${C}: downloading 2.4 of 9.4 MB`,
      `${C}: downloading 4.7 of 9.4 MB`,
      `${C}: downloading 7.0 of 9.4 MB`,
      `${C}: downloaded 9.4 MB`,
      `${C}: extracting`,
      `${C}: done`,
      'Digest: sha256:4d5bc2613e5fb331f589162dadb41fb5db661d5fdda53e80755818c793e3b6a7',
      'Status: Downloaded newer image for 127.0.0.1:41985/warp/app:v1',
      'pulled 2 layers, 12.4 MB in 2.1 s, 1 already present',
    ]);
    expect(lines.length).toBeLessThan(recorded.length / 10);
    expect(state.digest).toBe('sha256:4d5bc2613e5fb331f589162dadb41fb5db661d5fdda53e80755818c793e3b6a7');
    expect(state.status).toBe('Downloaded newer image for 127.0.0.1:41985/warp/app:v1');
    expect(state.messages).toBe(recorded.length);
  });

  it('writes at most one downloading line per layer per quarter, whatever the message rate', () => {
    const { lines } = reducePullStream(downloading(A, 50_000_000, 5_000), { start: 0, end: 1 });
    expect(lines.filter((l) => l.includes('downloading'))).toHaveLength(4);
  });

  it('writes one downloading line for a layer of unknown size', () => {
    const msgs: PullMessage[] = Array.from({ length: 50 }, (_, i) => ({
      status: 'Downloading',
      progressDetail: { current: i * 1000 },
      id: A,
    }));
    const { lines } = reducePullStream(msgs, { start: 0, end: 1 });
    expect(lines).toEqual([`${A}: downloading`, 'pulled 1 layer, 0 B in 0.0 s']);
  });

  it('says when the image was up to date', () => {
    const { lines } = reducePullStream(
      [
        { status: 'Pulling from warp/app', id: 'v1' },
        { status: 'Digest: sha256:abc' },
        { status: 'Status: Image is up to date for 127.0.0.1:5000/warp/app:v1' },
      ],
      { start: 0, end: 300 },
    );
    expect(lines.at(-2)).toBe('Status: Image is up to date for 127.0.0.1:5000/warp/app:v1');
    expect(lines.at(-1)).toBe('pulled 0 layers, 0 B in 0.3 s');
  });

  it('records the error and writes no total', () => {
    const { state, lines } = reducePullStream(
      [
        { status: 'Pulling fs layer', progressDetail: {}, id: A },
        {
          errorDetail: { message: 'unauthorized: authentication required' },
          error: 'unauthorized: authentication required',
        },
      ],
      { start: 0, end: 1 },
    );
    expect(state.error).toBe('unauthorized: authentication required');
    expect(lines).toEqual([`${A}: waiting`]);
  });

  it('does not change the state it is given', () => {
    const s0 = initialPullState();
    const { state } = reducePullMessage(s0, { status: 'Pulling fs layer', progressDetail: {}, id: A }, 5);
    expect(s0.order).toEqual([]);
    expect(s0.layers).toEqual({});
    expect(state.order).toEqual([A]);
    expect(state.startedAt).toBe(5);
  });

  it('does not go back to waiting, and logs statuses it does not know once', () => {
    const { lines } = reducePullStream(
      [
        { status: 'Downloading', progressDetail: { current: 1, total: 100 }, id: A },
        { status: 'Waiting', progressDetail: {}, id: A },
        { status: 'Retrying in 5 seconds', progressDetail: {}, id: A },
        { status: 'Retrying in 5 seconds', progressDetail: {}, id: A },
        { status: 'Verifying Checksum', progressDetail: {}, id: A },
      ],
      { start: 0, end: 1 },
    );
    expect(lines).toEqual([
      `${A}: downloading 1 of 100 B`,
      `${A}: retrying in 5 seconds`,
      'pulled 1 layer, 100 B in 0.0 s',
    ]);
  });

  it('formats sizes in decimal units', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(12_345)).toBe('12.3 kB');
    expect(formatBytes(12_400_000)).toBe('12.4 MB');
    expect(formatBytes(1_200_000_000)).toBe('1.20 GB');
    expect(formatOf(1_500_000, 4_400_000)).toBe('1.5 of 4.4 MB');
    expect(summaryLine({ pulled: 3, present: 0, bytes: 12_400_000, durationMs: 2_100 })).toBe(
      'pulled 3 layers, 12.4 MB in 2.1 s',
    );
  });
});
