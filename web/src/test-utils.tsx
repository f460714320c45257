import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { vi } from 'vitest';

/** Render inside a fresh QueryClient (no retries, so errors show at once). */
export function renderWithQuery(ui: ReactNode) {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  return render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
}

/** A fetch stub answering by "METHOD path" with a status and JSON body; records the calls. */
export function stubFetch(routes: Record<string, { status: number; body: unknown }>) {
  const calls: { method: string; url: string; headers: Record<string, string>; body: unknown }[] = [];
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    calls.push({
      method,
      url,
      headers: init.headers as Record<string, string>,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    });
    const hit = routes[`${method} ${url.split('?')[0]}`];
    if (!hit)
      return new Response(
        JSON.stringify({
          error: { code: 'NOT_FOUND', message: `no route for ${method} ${url}`, requestId: 'r' },
        }),
        { status: 404 },
      );
    return new Response(hit.status === 204 ? null : JSON.stringify(hit.body), {
      status: hit.status,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' },
    });
  });
  vi.stubGlobal('fetch', fn);
  return calls;
}
