import { useQuery } from '@tanstack/react-query';
import { queries } from '../api/queries.js';
import { TunnelCheck } from '../components/checks.js';
import { Badge, Card, Empty, ErrorView, Loading } from '../components/ui.js';
import { formatTime, timeAgo } from '../lib/format.js';
import { Link } from '../lib/router.js';
import { useTitle } from '../lib/use-title.js';

/** Tunnel: ingress rules (managed vs foreign), config preview with validation, connections, last restart. */
export default function Tunnel() {
  useTitle('Tunnel');
  const state = useQuery({ ...queries.tunnel.state(), refetchInterval: 15_000 });
  const config = useQuery(queries.tunnel.config());
  return (
    <div className="page">
      <h1>Tunnel</h1>
      <TunnelCheck />
      <Card title="Ingress rules">
        {state.isPending ? (
          <Loading />
        ) : state.error ? (
          <ErrorView error={state.error} />
        ) : (
          <>
            <p className="muted small">
              {state.data.name ?? 'unnamed'} · {state.data.mode} mode
              {state.data.mode === 'local' && state.data.restart.mode !== 'none'
                ? ` · ${state.data.restart.replicas} replica${state.data.restart.replicas === 1 ? '' : 's'}, restarted one at a time`
                : ''}{' '}
              · last restart{' '}
              <span title={formatTime(state.data.lastRestartAt)}>{timeAgo(state.data.lastRestartAt)}</span>
            </p>
            {state.data.restart.warning && (
              <div className="alert alert-warn" role="status">
                {state.data.restart.warning}
              </div>
            )}
            {state.data.rules.length === 0 ? (
              <Empty>No rules.</Empty>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Hostname</th>
                      <th>Path</th>
                      <th>Service</th>
                      <th>Owner</th>
                    </tr>
                  </thead>
                  <tbody>
                    {state.data.rules.map((r, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: rule order is the identity in cloudflared
                      <tr key={i}>
                        <td>{r.hostname ?? <em>catch-all</em>}</td>
                        <td>{r.path ?? '—'}</td>
                        <td>
                          <code>{r.service}</code>
                        </td>
                        <td>
                          {r.managed ? (
                            <>
                              managed
                              {r.projectId && (
                                <>
                                  {' '}
                                  · <Link to={`/projects/${r.projectId}`}>project</Link>
                                </>
                              )}
                            </>
                          ) : (
                            <span className="tag">foreign (kept as is)</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <h3>Connections</h3>
            {state.data.connections === null ? (
              <p className="muted">Not reported in this mode.</p>
            ) : state.data.connections.length === 0 ? (
              <Empty>No connections.</Empty>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Edge</th>
                      <th>Origin</th>
                      <th>Opened</th>
                      <th>Client</th>
                    </tr>
                  </thead>
                  <tbody>
                    {state.data.connections.map((c) => (
                      <tr key={c.id}>
                        <td>
                          {c.coloName ?? '—'} {c.pendingReconnect && <Badge status="degraded" />}
                        </td>
                        <td>{c.originIp ?? '—'}</td>
                        <td title={formatTime(c.openedAt)}>{timeAgo(c.openedAt)}</td>
                        <td>{c.clientVersion ?? '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </Card>
      <Card title="config.yml preview">
        {config.isPending ? (
          <Loading />
        ) : config.error ? (
          <ErrorView error={config.error} />
        ) : (
          <>
            <p>
              <code>{config.data.path}</code> <Badge status={config.data.valid ? 'valid' : 'invalid'} />
            </p>
            {config.data.errors.length > 0 && (
              <div className="alert alert-error" role="alert">
                <strong>Validation errors</strong>
                <ul>
                  {config.data.errors.map((e) => (
                    <li key={e}>{e}</li>
                  ))}
                </ul>
              </div>
            )}
            <pre className="code">{config.data.content || '(empty)'}</pre>
          </>
        )}
      </Card>
    </div>
  );
}
