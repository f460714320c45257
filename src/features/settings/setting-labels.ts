/**
 * What people call a setting: the label the settings page shows. Errors name settings this way,
 * never by their internal path (`tunnel.name`).
 */
export const SETTING_LABELS: Record<string, string> = {
  baseDomain: 'Base domain',
  'tunnel.name': 'Tunnel name',
  'tunnel.id': 'Tunnel ID',
  'tunnel.accountId': 'Cloudflare account ID',
  'tunnel.configPath': 'cloudflared config file',
  'tunnel.dnsMode': 'DNS mode',
  'cloudflare.apiToken': 'Cloudflare API token',
  'cloudflare.zoneId': 'Cloudflare zone ID',
  'github.oauthClientId': 'GitHub OAuth client ID',
  'github.oauthClientSecret': 'GitHub OAuth client secret',
  'github.appId': 'GitHub App ID',
  'github.installationId': 'GitHub App installation ID',
  'github.appPrivateKey': 'GitHub App private key',
};

/** "Tunnel ID, Cloudflare API token and Cloudflare zone ID" for a list of setting keys. */
export function settingNames(keys: string[]): string {
  const names = keys.map((k) => SETTING_LABELS[k] ?? k);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
