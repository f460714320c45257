import { useQuery } from '@tanstack/react-query';
import { queries } from '../api/queries.js';
import { useMe } from '../api/use-me.js';
import { RecentDeliveries } from '../components/project-hooks.js';
import { RegistriesSettings } from '../components/registries-settings.js';
import { SettingsForm } from '../components/settings-form.js';
import { useOpenOnboarding } from '../components/shell.js';
import { Button, Card, ErrorView, Loading } from '../components/ui.js';
import { Link } from '../lib/router.js';
import { SECTIONS } from '../lib/settings-fields.js';
import { useTitle } from '../lib/use-title.js';
import { engineModeText } from './nodes.js';

/** Settings, one form per section; secrets are write-only (shown as "set ••••9f2c"). */
export default function SettingsPage() {
  useTitle('Settings');
  const me = useMe();
  const openOnboarding = useOpenOnboarding();
  const settings = useQuery(queries.settings());
  const nodes = useQuery(queries.nodes());
  const canEdit = me.data?.user.role === 'admin';
  return (
    <div className="page">
      <div className="page-head">
        <h1>Settings</h1>
        <div className="actions">
          <Button onClick={openOnboarding}>Open set-up guide</Button>
          <Link className="btn" to="/settings/tokens">
            API tokens
          </Link>
          <Link className="btn" to="/account">
            Passkeys and password
          </Link>
        </div>
      </div>
      <p className="muted">
        Docker engine: {nodes.data ? engineModeText(nodes.data) : nodes.error ? 'not answering' : '…'} ·{' '}
        <Link to="/nodes">Nodes</Link>
      </p>
      {settings.isPending ? (
        <Loading />
      ) : settings.error ? (
        <ErrorView error={settings.error} />
      ) : (
        <>
          {Object.entries(SECTIONS).map(([key, section]) => (
            <Card key={key} title={section.title}>
              <SettingsForm settings={settings.data} fields={section.fields} canEdit={canEdit} />
            </Card>
          ))}
          <Card title="Registries">
            <RegistriesSettings settings={settings.data} canEdit={canEdit} />
          </Card>
        </>
      )}
      <Card title="Webhook deliveries">
        <RecentDeliveries />
      </Card>
    </div>
  );
}
