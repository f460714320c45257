import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api/client.js';
import { keys, queries } from '../api/queries.js';
import type { User } from '../api/types.js';
import { Button, ErrorView, Field } from '../components/ui.js';
import { splitErrors } from '../lib/form-errors.js';
import { useTitle } from '../lib/use-title.js';
import { ceremonyProblem, signInWithPasskey, webauthnAvailable } from '../lib/webauthn.js';

const unauthorized = (error: unknown) => error instanceof ApiError && error.status === 401;

/** The local admin's password (`POST /auth/password/login`). */
function PasswordForm({ primary, onDone }: { primary: boolean; onDone: () => Promise<void> }) {
  const [password, setPassword] = useState('');
  const login = useMutation({
    mutationFn: (p: string) =>
      api<{ user: User }>('/auth/password/login', { method: 'POST', body: { password: p } }),
    onSuccess: async () => {
      setPassword('');
      await onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password) login.mutate(password);
  };
  return (
    <form onSubmit={submit} noValidate>
      <input type="text" name="username" autoComplete="username" value="admin" readOnly hidden />
      <Field label="Password" error={unauthorized(login.error) ? 'That password is not right.' : undefined}>
        {(p) => (
          <input
            {...p}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
      </Field>
      {login.error && !unauthorized(login.error) && <ErrorView error={login.error} />}
      <Button
        type="submit"
        variant={primary ? 'primary' : 'default'}
        busy={login.isPending}
        disabled={!password}
      >
        Sign in with password
      </Button>
    </form>
  );
}

/** A single-use login token from the host: the first start, and the way back in when all else is lost. */
function TokenForm({ primary, onDone }: { primary: boolean; onDone: () => Promise<void> }) {
  const [token, setToken] = useState('');
  const login = useMutation({
    mutationFn: (t: string) => api<{ user: User }>('/auth/token', { method: 'POST', body: { token: t } }),
    onSuccess: async () => {
      setToken('');
      await onDone();
    },
  });
  const errors = splitErrors(login.error, ['token']);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim()) login.mutate(token.trim());
  };
  return (
    <form onSubmit={submit} noValidate>
      <Field
        label="Login token"
        hint="For the first sign-in and for recovery: printed at first start, or run `warp-panel login-token` on the host. Valid once, for 15 minutes."
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
            unauthorized(login.error)
              ? new Error('That token is invalid, used or expired. Create a new one on the host.')
              : login.error
          }
        />
      )}
      <Button
        type="submit"
        variant={primary ? 'primary' : 'default'}
        busy={login.isPending}
        disabled={!token.trim()}
      >
        Sign in with token
      </Button>
    </form>
  );
}

/**
 * Sign-in: the methods this panel has (`GET /auth/methods`): a passkey or the password of the local admin,
 * GitHub when OAuth is configured, and always the login token. The first one offered is the primary button.
 */
export function SignIn() {
  useTitle('Sign in');
  const qc = useQueryClient();
  const methods = useQuery({ ...queries.authMethods(), staleTime: 30_000 });
  const done = () => qc.invalidateQueries({ queryKey: keys.me });
  const passkey = useMutation({ mutationFn: signInWithPasskey, onSuccess: done });
  const m = methods.data;
  const offerPasskey = Boolean(m?.passkey) && webauthnAvailable();
  const offerPassword = Boolean(m?.password);
  const offerGithub = Boolean(m?.github);
  const passkeyError = passkey.error
    ? (ceremonyProblem(passkey.error) ??
      (unauthorized(passkey.error) ? 'That passkey is not registered here.' : null))
    : null;
  const others = offerPasskey || offerPassword || offerGithub;
  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <h1>Warp Panel</h1>
        <p className="muted">Sign in to manage this host.</p>
        {methods.error && <ErrorView error={methods.error} />}
        {offerPasskey && (
          <>
            <Button variant="primary" busy={passkey.isPending} onClick={() => passkey.mutate()}>
              Sign in with a passkey
            </Button>
            {passkey.error &&
              (passkeyError ? (
                <div className="field-error" role="alert">
                  {passkeyError}
                </div>
              ) : (
                <ErrorView error={passkey.error} />
              ))}
          </>
        )}
        {offerPassword && <PasswordForm primary={!offerPasskey} onDone={done} />}
        {offerGithub && (
          <a
            className={`btn btn-block ${offerPasskey || offerPassword ? '' : 'btn-primary'}`}
            href="/auth/login"
          >
            Sign in with GitHub
          </a>
        )}
        {others && (
          <div className="divider">
            <span>or, to recover access</span>
          </div>
        )}
        {!methods.isPending && <TokenForm primary={!others} onDone={done} />}
      </div>
    </main>
  );
}
