import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import type { JoinCommand, SwarmNode } from '../api/types.js';
import { useMe } from '../api/use-me.js';
import { Badge, Button, Card, Empty, ErrorView, Loading } from '../components/ui.js';
import { formatBytes } from '../lib/format.js';
import { useTitle } from '../lib/use-title.js';

/** "single engine" / "Swarm manager · 3 nodes": what the panel's engine is. */
export function engineModeText(data: { mode: string; role: string | null; items: unknown[] }): string {
  if (data.mode === 'single') return 'Single engine';
  if (data.role !== 'manager') return 'Swarm worker — point the panel at a manager';
  return `Swarm manager · ${data.items.length} node${data.items.length === 1 ? '' : 's'}`;
}

const labelsText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ') || '—';

/** Nodes: the engine's mode, the Swarm's nodes, drain/activate and the join command (admins). */
export default function Nodes() {
  useTitle('Nodes');
  const qc = useQueryClient();
  const me = useMe();
  const admin = me.data?.user.role === 'admin';
  const nodes = useQuery({ ...queries.nodes(), refetchInterval: 10_000 });
  // The join token is a secret: kept in this page's state only, never in the query cache.
  const [join, setJoin] = useState<JoinCommand | null>(null);
  const setAvailability = useMutation({
    mutationFn: ({ node, action }: { node: SwarmNode; action: 'drain' | 'activate' }) =>
      api<SwarmNode>(`/api/v1/nodes/${node.id}/${action}`, { method: 'POST' }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.nodes }),
  });
  const showJoin = useMutation({
    mutationFn: () => api<JoinCommand>('/api/v1/nodes/join'),
    onSuccess: setJoin,
  });

  return (
    <div className="page">
      <h1>Nodes</h1>
      {nodes.isPending ? (
        <Loading />
      ) : nodes.error ? (
        <ErrorView error={nodes.error} />
      ) : (
        <>
          <p className="muted">Engine: {engineModeText(nodes.data)}</p>
          {nodes.data.mode === 'single' ? (
            <Card title="One machine">
              <p>
                The panel's engine is a single Docker engine: projects run on this host. To spread them over
                several machines, run <code>docker swarm init</code> on this engine (it becomes the manager),
                join the other machines as workers, and deploy projects with the target “Swarm”.
              </p>
            </Card>
          ) : (
            <Card title="Swarm nodes">
              <ErrorView error={setAvailability.error} />
              {nodes.data.items.length === 0 ? (
                <Empty>No nodes.</Empty>
              ) : (
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th>Hostname</th>
                        <th>Role</th>
                        <th>State</th>
                        <th>Availability</th>
                        <th>Engine</th>
                        <th>Resources</th>
                        <th>Labels</th>
                        {admin && <th />}
                      </tr>
                    </thead>
                    <tbody>
                      {nodes.data.items.map((n) => (
                        <tr key={n.id}>
                          <td>
                            {n.hostname}
                            {n.self && <span className="muted small"> (this engine)</span>}
                          </td>
                          <td>
                            {n.role}
                            {n.leader && <span className="muted small"> · leader</span>}
                          </td>
                          <td>
                            <Badge status={n.state} />
                          </td>
                          <td>{n.availability}</td>
                          <td>{n.engineVersion}</td>
                          <td>
                            {(n.resources.nanoCpus / 1e9).toFixed(1)} CPU ·{' '}
                            {formatBytes(n.resources.memoryBytes)}
                          </td>
                          <td className="small">{labelsText(n.labels)}</td>
                          {admin && (
                            <td>
                              {n.availability === 'drain' ? (
                                <Button
                                  onClick={() => setAvailability.mutate({ node: n, action: 'activate' })}
                                >
                                  Activate
                                </Button>
                              ) : (
                                <Button onClick={() => setAvailability.mutate({ node: n, action: 'drain' })}>
                                  Drain
                                </Button>
                              )}
                            </td>
                          )}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Card>
          )}
          {admin && nodes.data.mode === 'swarm' && (
            <Card title="Add a machine">
              <p className="muted small">
                Run this on the new machine (Docker installed, ports 2377/tcp, 7946/tcp+udp and 4789/udp open
                between the machines). The token lets a machine join: treat it like a password.
              </p>
              <ErrorView error={showJoin.error} />
              {join ? (
                <pre className="code">{join.command}</pre>
              ) : (
                <Button busy={showJoin.isPending} onClick={() => showJoin.mutate()}>
                  Show the worker join command
                </Button>
              )}
            </Card>
          )}
        </>
      )}
    </div>
  );
}
