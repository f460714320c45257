import { useEffect, useRef, useState } from 'react';

/** Connection state of a live stream, for the UI's indicator. */
export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'ended' | 'error';

/** Handlers for named SSE events; `data` is parsed JSON. */
export type StreamHandlers = Record<string, (data: unknown, lastEventId: string) => void>;

/**
 * Follow an SSE endpoint. EventSource reconnects by itself and sends Last-Event-ID; when it gives up (the
 * server answered an error, or closed for good) we reconnect after a pause with `resumeUrl()` — which can add
 * `?after=<seq>` — so a dropped connection never loses or repeats lines. An `end` event closes the stream.
 */
export function useEventSource(
  url: string | null,
  handlers: StreamHandlers,
  opts: { resumeUrl?: () => string; retryMs?: number } = {},
): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const resumeRef = useRef(opts.resumeUrl);
  resumeRef.current = opts.resumeUrl;
  const retryMs = opts.retryMs ?? 2000;

  useEffect(() => {
    if (!url) return;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let attempts = 0;

    const connect = (target: string) => {
      source = new EventSource(target, { withCredentials: true });
      source.onopen = () => {
        attempts = 0;
        setState('open');
      };
      const names = new Set([...Object.keys(handlersRef.current), 'end']);
      for (const name of names) {
        source.addEventListener(name, (ev) => {
          const msg = ev as MessageEvent<string>;
          if (name === 'end') {
            stopped = true;
            source?.close();
            setState('ended');
          }
          let data: unknown = null;
          try {
            data = msg.data ? JSON.parse(msg.data) : null;
          } catch {
            data = msg.data;
          }
          handlersRef.current[name]?.(data, msg.lastEventId);
        });
      }
      source.onerror = () => {
        if (stopped) return;
        if (source?.readyState === EventSource.CONNECTING) {
          setState('reconnecting');
          return;
        }
        source?.close();
        attempts++;
        setState(attempts > 5 ? 'error' : 'reconnecting');
        timer = setTimeout(() => connect(resumeRef.current?.() ?? url), Math.min(30_000, retryMs * attempts));
      };
    };

    setState('connecting');
    connect(url);
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [url, retryMs]);

  return state;
}
