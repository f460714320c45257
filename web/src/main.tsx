import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from './api/client.js';
import { queries } from './api/queries.js';
import { App } from './app.js';
import { watchAccepted } from './lib/job-watch.js';
import { initTheme } from './lib/theme.js';
import './styles.css';

initTheme();

// A 401 anywhere means the session is gone: drop `me` so the sign-in page shows.
const onError = (error: unknown) => {
  if (error instanceof ApiError && error.status === 401)
    queryClient.setQueryData(queries.me().queryKey, null);
};

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  // Every long action answers 202 {job}: follow it, so its end is announced wherever the user is then.
  mutationCache: new MutationCache({ onError, onSuccess: watchAccepted }),
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      retry: (count, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
}
