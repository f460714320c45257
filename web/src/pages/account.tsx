import { useMe } from '../api/use-me.js';
import { PasskeysCard } from '../components/passkeys-card.js';
import { PasswordCard } from '../components/password-card.js';
import { Card, Loading } from '../components/ui.js';
import { formatTime } from '../lib/format.js';
import { Link } from '../lib/router.js';
import { useTitle } from '../lib/use-title.js';

/**
 * Account and security: who you are, and for the local admin the ways to sign in without a shell on the
 * host — passkeys and a password. GitHub users sign in with GitHub; their access is set in Settings.
 */
export default function Account() {
  useTitle('Account');
  const me = useMe();
  if (!me.data) return <Loading />;
  const { user, session } = me.data;
  const local = user.provider === 'local';
  return (
    <div className="page">
      <h1>Account</h1>
      <Card title="You">
        <dl className="kv">
          <dt>Login</dt>
          <dd>{user.login}</dd>
          <dt>Role</dt>
          <dd>{user.role}</dd>
          <dt>Signs in with</dt>
          <dd>{local ? 'a passkey, a password or a login token (the local admin)' : 'GitHub'}</dd>
          <dt>This session ends</dt>
          <dd>{formatTime(session.expiresAt)}</dd>
        </dl>
      </Card>
      {local && user.role === 'admin' ? (
        <>
          <PasskeysCard />
          <PasswordCard />
          <p className="muted small">
            Lost every passkey and the password? Run <code>warp-panel login-token</code> on the host and sign
            in with the token.
          </p>
        </>
      ) : (
        <p className="muted">
          You sign in with GitHub; who may do so is set under <Link to="/settings">Settings → Access</Link>.
        </p>
      )}
    </div>
  );
}
