import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import { keys } from '../api/queries.js';
import type { User } from '../api/types.js';
import { Button, ErrorView, Field } from '../components/ui.js';
import { splitErrors } from '../lib/form-errors.js';

/** Sign-in: GitHub OAuth, or a single-use login token from the host (first start and recovery). */
export function SignIn() {
  const qc = useQueryClient();
  const [token, setToken] = useState('');
  const login = useMutation({
    mutationFn: (t: string) => api<{ user: User }>('/auth/token', { method: 'POST', body: { token: t } }),
    onSuccess: async () => {
      setToken('');
      await qc.invalidateQueries({ queryKey: keys.me });
    },
  });
  const errors = splitErrors(login.error, ['token']);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim()) login.mutate(token.trim());
  };
  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <h1>Warp Panel</h1>
        <p className="muted">Sign in to manage this host.</p>
        <a className="btn btn-primary btn-block" href="/auth/login">
          Sign in with GitHub
        </a>
        <div className="divider">
          <span>or</span>
        </div>
        <form onSubmit={submit} noValidate>
          <Field
            label="Login token"
            hint="Printed at first start, or run `warp-panel login-token` on the host. Valid once, for 15 minutes."
            error={errors.fields.token}
          >
            {(p) => (
              <input
                {...p}
                name="token"
                autoComplete="one-time-code"
                spellCheck={false}
                value={token}
                onChange={(e) => setToken(e.target.value)}
              />
            )}
          </Field>
          {errors.general.length > 0 && (
            <ErrorView
              error={
                login.error && 'status' in login.error && login.error.status === 401
                  ? new Error('That token is invalid, used or expired. Create a new one on the host.')
                  : login.error
              }
            />
          )}
          <Button type="submit" variant="primary" busy={login.isPending} disabled={!token.trim()}>
            Sign in with token
          </Button>
        </form>
      </div>
    </main>
  );
}
