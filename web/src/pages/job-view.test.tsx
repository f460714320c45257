// @vitest-environment jsdom
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderWithQuery, stubFetch } from '../test-utils.js';
import JobView from './job-view.js';

/** A controllable EventSource: tests push events and drop the connection. */
class FakeEventSource {
  static instances: FakeEventSource[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private listeners = new Map<string, ((ev: MessageEvent) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(name: string, fn: (ev: MessageEvent) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
  }
  close() {
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  emit(name: string, data: unknown, id = '') {
    for (const fn of this.listeners.get(name) ?? [])
      fn(new MessageEvent(name, { data: JSON.stringify(data), lastEventId: id }));
  }
  fail() {
    this.readyState = 2;
    this.onerror?.();
  }
}

const job = {
  id: 'j1',
  type: 'quick-service',
  status: 'running',
  projectId: null,
  input: {},
  result: null,
  error: null,
  createdAt: '2024-01-01T00:00:00Z',
  startedAt: '2024-01-01T00:00:00Z',
  finishedAt: null,
  actor: 'admin',
  cancelRequested: false,
};
const line = (seq: number, text: string, stream = 'system') => ({
  seq,
  ts: '2024-01-01T00:00:00Z',
  stream,
  text,
});

beforeEach(() => {
  FakeEventSource.instances = [];
  vi.stubGlobal('EventSource', FakeEventSource);
  stubFetch({ 'GET /api/v1/jobs/j1': { status: 200, body: job } });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('JobView live log', () => {
  it('shows steps and lines once, resumes after a dropped connection with ?after=<last seq>, and ends on status', async () => {
    renderWithQuery(<JobView id="j1" />);
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
    const first = FakeEventSource.instances[0] as FakeEventSource;
    expect(first.url).toBe('/api/v1/jobs/j1/logs/stream');
    act(() => {
      first.open();
      first.emit('log', line(1, '▶ Pull image'), '1');
      first.emit('log', line(2, '\x1b[32mpulled\x1b[0m', 'stdout'), '2');
      first.emit('log', line(2, '\x1b[32mpulled\x1b[0m', 'stdout'), '2');
    });
    expect(screen.getByTestId('stream-state').textContent).toBe('Live');
    vi.useFakeTimers();
    act(() => first.fail());
    expect(screen.getByTestId('stream-state').textContent).toMatch(/reconnecting/);
    act(() => {
      vi.advanceTimersByTime(2_500);
    });
    vi.useRealTimers();
    const second = FakeEventSource.instances[1] as FakeEventSource;
    expect(second.url).toBe('/api/v1/jobs/j1/logs/stream?after=2');
    act(() => {
      second.open();
      second.emit('log', line(2, '\x1b[32mpulled\x1b[0m', 'stdout'), '2');
      second.emit('log', line(3, '✓ Pull image (0.5 s)'), '3');
      second.emit('status', { ...job, status: 'succeeded', finishedAt: '2024-01-01T00:00:05Z' });
      second.emit('end', null);
    });
    const log = screen.getByRole('log');
    expect(log.querySelectorAll('.logline')).toHaveLength(3);
    expect(log.textContent).toContain('pulled');
    expect(log.querySelector('.ansi-fg-2')?.textContent).toBe('pulled');
    expect(screen.getByText('succeeded')).toBeTruthy();
    expect(screen.getByTestId('stream-state').textContent).toBe('Finished');
    expect(screen.getByRole('region', { name: 'Steps' }).textContent).toContain('Pull image');
    expect(screen.queryByRole('button', { name: 'Cancel job' })).toBeNull();
  });

  it('shows the API error instead of crashing when the job does not exist', async () => {
    stubFetch({});
    renderWithQuery(<JobView id="nope" />);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/Not available|Not found/));
    expect(FakeEventSource.instances).toHaveLength(0);
  });
});
