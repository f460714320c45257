import { lazy, type ReactNode, Suspense } from 'react';
import { useMe } from './api/use-me.js';
import { Shell } from './components/shell.js';
import { ErrorView, Loading } from './components/ui.js';
import { matchPath, useLocation } from './lib/router.js';
import { useTitle } from './lib/use-title.js';
import { Dashboard } from './pages/dashboard.js';

// Pages other than the dashboard load on demand, keeping the first load small; the sign-in page too (a
// signed-in user, the common case, never needs it).
const SignIn = lazy(() => import('./pages/sign-in.js').then((m) => ({ default: m.SignIn })));
const NewProject = lazy(() => import('./pages/new-project.js'));
const Projects = lazy(() => import('./pages/projects.js'));
const Account = lazy(() => import('./pages/account.js'));
const ProjectView = lazy(() => import('./pages/project-view.js'));
const Jobs = lazy(() => import('./pages/jobs.js'));
const JobView = lazy(() => import('./pages/job-view.js'));
const Containers = lazy(() => import('./pages/containers.js'));
const Tunnel = lazy(() => import('./pages/tunnel.js'));
const SettingsPage = lazy(() => import('./pages/settings.js'));
const Tokens = lazy(() => import('./pages/tokens.js'));
const Audit = lazy(() => import('./pages/audit.js'));
const Notifications = lazy(() => import('./pages/notifications.js'));
const Nodes = lazy(() => import('./pages/nodes.js'));

function Page({ path }: { path: string }) {
  const routes: [string, (p: Record<string, string>) => ReactNode][] = [
    ['/', () => <Dashboard />],
    ['/projects', () => <Projects />],
    ['/projects/new', () => <NewProject />],
    ['/projects/:id', (p) => <ProjectView id={p.id ?? ''} />],
    ['/jobs', () => <Jobs />],
    ['/jobs/:id', (p) => <JobView id={p.id ?? ''} />],
    ['/containers', () => <Containers />],
    ['/tunnel', () => <Tunnel />],
    ['/settings', () => <SettingsPage />],
    ['/settings/tokens', () => <Tokens />],
    ['/audit', () => <Audit />],
    ['/notifications', () => <Notifications />],
    ['/account', () => <Account />],
    ['/nodes', () => <Nodes />],
  ];
  for (const [pattern, render] of routes) {
    const params = matchPath(pattern, path);
    if (params) return <>{render(params)}</>;
  }
  return <NotFound path={path} />;
}

function NotFound({ path }: { path: string }) {
  useTitle('Page not found');
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>There is nothing at {path}.</p>
    </div>
  );
}

/** The SPA: sign-in when there is no session, else the shell with the routed page. */
export function App() {
  const me = useMe();
  const { path } = useLocation();
  if (me.isPending) return <Loading what="Starting" />;
  if (me.error)
    return (
      <div className="page">
        <ErrorView error={me.error} />
      </div>
    );
  if (!me.data)
    return (
      <Suspense fallback={<Loading what="Starting" />}>
        <SignIn />
      </Suspense>
    );
  return (
    <Shell user={me.data.user} path={path}>
      <Suspense fallback={<Loading />}>
        <Page path={path} />
      </Suspense>
    </Shell>
  );
}
