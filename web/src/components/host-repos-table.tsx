import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { queries } from '../api/queries.js';
import type { Job } from '../api/types.js';
import { navigate } from '../lib/router.js';
import { Badge, Button, ErrorView, Loading } from './ui.js';

/** Compose projects under the repos root with their state, and stop / restart as jobs. */
export function HostReposTable() {
  const repos = useQuery(queries.hostRepos());
  const action = useMutation({
    mutationFn: ({ name, verb }: { name: string; verb: 'stop' | 'restart' }) =>
      api<{ job: Job }>(`/api/v1/host/repos/${encodeURIComponent(name)}/${verb}`, { method: 'POST' }),
    onSuccess: (res) => navigate(`/jobs/${res.job.id}`),
  });
  if (repos.isPending) return <Loading what="Looking for compose projects" />;
  if (repos.error) return <ErrorView error={repos.error} />;
  if (repos.data.items.length === 0) return null;
  return (
    <div className="table-wrap">
      {action.error && <ErrorView error={action.error} />}
      <table>
        <caption>Compose projects on this host</caption>
        <thead>
          <tr>
            <th scope="col">Folder</th>
            <th scope="col">Compose project</th>
            <th scope="col">State</th>
            <th scope="col">Services</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {repos.data.items.map((r) => (
            <tr key={r.name}>
              <td>{r.name}</td>
              <td>
                <code>{r.composeProject}</code>
              </td>
              <td>
                <Badge status={r.status} />
              </td>
              <td>{r.services.join(', ')}</td>
              <td className="actions">
                {r.status !== 'not-deployed' && (
                  <>
                    <Button
                      busy={
                        action.isPending &&
                        action.variables?.name === r.name &&
                        action.variables.verb === 'stop'
                      }
                      onClick={() => action.mutate({ name: r.name, verb: 'stop' })}
                    >
                      Stop
                    </Button>
                    <Button
                      busy={
                        action.isPending &&
                        action.variables?.name === r.name &&
                        action.variables.verb === 'restart'
                      }
                      onClick={() => action.mutate({ name: r.name, verb: 'restart' })}
                    >
                      Restart
                    </Button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
