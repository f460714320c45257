import { useIsFetching, useIsMutating, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  lazy,
  type ReactNode,
  Suspense,
  useContext,
  useEffect,
  useRef,
  useState,
} from 'react';
import { api } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import type { User } from '../api/types.js';
import { useWatchedJobs } from '../lib/job-watch.js';
import { Link, navigate } from '../lib/router.js';
import { type ThemeChoice, useTheme } from '../lib/theme.js';
import { useToasts } from '../lib/toasts.js';
import { Button } from './ui.js';

// Shown once per user (and when reopened from Settings): loaded only then, not with every first page.
const OnboardingOverlay = lazy(() =>
  import('../pages/onboarding.js').then((m) => ({ default: m.OnboardingOverlay })),
);

// Followed jobs and their toasts: loaded with the first job this tab starts.
const JobWatcher = lazy(() => import('./job-watcher.js').then((m) => ({ default: m.JobWatcher })));
const Toasts = lazy(() => import('./toasts.js').then((m) => ({ default: m.Toasts })));

const NAV: [string, string][] = [
  ['/', 'Dashboard'],
  ['/projects', 'Projects'],
  ['/projects/new', 'New project'],
  ['/jobs', 'Jobs'],
  ['/containers', 'Containers'],
  ['/tunnel', 'Tunnel'],
  ['/nodes', 'Nodes'],
  ['/settings', 'Settings'],
  ['/settings/tokens', 'API tokens'],
  ['/notifications', 'Notifications'],
  ['/audit', 'Audit log'],
  ['/account', 'Account'],
];
// Pages whose API is for admins only.
const ADMIN_ONLY = new Set(['/notifications']);

const OpenOnboarding = createContext<() => void>(() => {});
/** Reopen the onboarding overlay (from the settings page). */
export const useOpenOnboarding = () => useContext(OpenOnboarding);

/** Thin bar at the top while any request is in flight: every wait is visible. */
function ProgressBar() {
  const busy = useIsFetching() + useIsMutating() > 0;
  return (
    <div
      className={`progress${busy ? ' active' : ''}`}
      role="progressbar"
      aria-hidden={!busy}
      aria-label="Loading"
    />
  );
}

function ThemeToggle() {
  const [theme, setTheme] = useTheme();
  const next: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
  return (
    <button
      type="button"
      className="btn btn-ghost"
      onClick={() => setTheme(next[theme])}
      aria-label={`Theme: ${theme}. Switch to ${next[theme]}`}
      title={`Theme: ${theme}`}
    >
      {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'} <span className="hide-sm">{theme}</span>
    </button>
  );
}

/** App frame: header, navigation (a drawer on phones), progress bar, onboarding overlay. */
export function Shell({ user, path, children }: { user: User; path: string; children: ReactNode }) {
  const qc = useQueryClient();
  const [menuOpen, setMenuOpen] = useState(false);
  const [forceOnboarding, setForceOnboarding] = useState(false);
  const main = useRef<HTMLElement>(null);
  const onboarding = useQuery({ ...queries.onboarding(), staleTime: Number.POSITIVE_INFINITY });
  const watching = useWatchedJobs().length > 0;
  const toasting = useToasts().length > 0;
  const logout = useMutation({
    mutationFn: () => api<null>('/auth/logout', { method: 'POST' }),
    onSettled: () => {
      // Keep the `me` query (its observer switches the app to the sign-in page); drop everything else.
      qc.setQueryData(queries.me().queryKey, null);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
      navigate('/', { replace: true });
    },
  });

  // Move focus to the page on navigation so keyboard and screen-reader users land on the new content.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on path change on purpose
  useEffect(() => {
    setMenuOpen(false);
    main.current?.focus({ preventScroll: true });
  }, [path]);

  const active = (to: string) =>
    to === '/'
      ? path === '/'
      : to === '/projects'
        ? path === to || (path.startsWith('/projects/') && path !== '/projects/new')
        : path === to || (to !== '/settings' && path.startsWith(`${to}/`));
  const showOnboarding = forceOnboarding || onboarding.data?.completed === false;

  return (
    <OpenOnboarding.Provider value={() => setForceOnboarding(true)}>
      <ProgressBar />
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="btn btn-ghost menu-btn"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          ☰ <span className="sr-only">Menu</span>
        </button>
        <Link to="/" className="brand">
          Warp Panel
        </Link>
        <span className="spacer" />
        <ThemeToggle />
        <span className="user" title={`${user.login} (${user.role})`}>
          {user.avatarUrl ? <img src={user.avatarUrl} alt="" width={24} height={24} /> : null}
          <span className="hide-sm">{user.login}</span>
        </span>
        <Button variant="ghost" busy={logout.isPending} onClick={() => logout.mutate()}>
          Sign out
        </Button>
      </header>
      <div className="layout">
        <nav id="nav" className={`sidenav${menuOpen ? ' open' : ''}`} aria-label="Main">
          <ul>
            {NAV.filter(([to]) => user.role === 'admin' || !ADMIN_ONLY.has(to)).map(([to, label]) => (
              <li key={to}>
                <Link to={to} aria-current={active(to) ? 'page' : undefined}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" ref={main} tabIndex={-1} className="content">
          {children}
        </main>
      </div>
      <Suspense fallback={null}>
        {toasting && <Toasts />}
        {watching && <JobWatcher path={path} />}
      </Suspense>
      {showOnboarding && (
        <Suspense fallback={null}>
          <OnboardingOverlay
            user={user}
            onDone={() => {
              setForceOnboarding(false);
            }}
          />
        </Suspense>
      )}
    </OpenOnboarding.Provider>
  );
}
