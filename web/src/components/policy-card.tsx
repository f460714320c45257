import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import { useMe } from '../api/use-me.js';
import { Button, Card, ErrorView, Loading } from './ui.js';

/**
 * The least-privilege policy of one project: what it may do beyond the rules (README → Security
 * model). Everyone sees the exceptions; an admin can grant or take them back (audited, applied at the
 * next deploy).
 */
export function PolicyCard({ projectId }: { projectId: string }) {
  const qc = useQueryClient();
  const me = useMe();
  const policy = useQuery(queries.projectPolicy(projectId));
  const [allow, setAllow] = useState<string[]>([]);
  useEffect(() => {
    if (policy.data) setAllow(policy.data.allow);
  }, [policy.data]);
  const save = useMutation({
    mutationFn: () => api(`/api/v1/projects/${projectId}/policy`, { method: 'PUT', body: { allow } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.projectPolicy(projectId) });
      void qc.invalidateQueries({ queryKey: keys.project(projectId) });
    },
  });
  const admin = me.data?.user.role === 'admin';
  return (
    <Card title="Host access">
      {policy.isPending ? (
        <Loading />
      ) : policy.error ? (
        <ErrorView error={policy.error} />
      ) : (
        <>
          <p className="muted" data-testid="policy-summary">
            {policy.data.allow.length === 0
              ? 'This project runs inside its containers only: nothing it asks for may reach the host.'
              : `An admin allowed this project to: ${policy.data.exceptions
                  .filter((e) => policy.data.allow.includes(e.name))
                  .map((e) => e.description)
                  .join('; ')}.`}
          </p>
          {admin && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                save.mutate();
              }}
            >
              <div className="checks">
                {policy.data.exceptions.map((e) => (
                  <label key={e.name}>
                    <input
                      type="checkbox"
                      checked={allow.includes(e.name)}
                      onChange={(ev) =>
                        setAllow((a) => (ev.target.checked ? [...a, e.name] : a.filter((n) => n !== e.name)))
                      }
                    />{' '}
                    {e.description}
                  </label>
                ))}
              </div>
              {save.error && <ErrorView error={save.error} />}
              <Button type="submit" busy={save.isPending}>
                Save exceptions (applies at the next deploy)
              </Button>
            </form>
          )}
        </>
      )}
    </Card>
  );
}
