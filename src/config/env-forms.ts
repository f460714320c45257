import type { Env } from './config.schema.js';

/**
 * What each environment variable accepts, in words: config errors say "<VAR> must be <form> (got
 * '<value>')", and `.env.example` lists the same forms (a test checks they agree).
 */
export const ENV_FORMS: Record<keyof Env, string> = {
  WARP_HOST: 'a host name or IP address to listen on',
  WARP_PORT: 'a number from 1 to 65535 (0 picks any free port)',
  WARP_PUBLIC_URL: 'an http(s) URL, e.g. https://panel.example.com',
  WARP_DATA_DIR: 'a directory path',
  WARP_DATABASE_URL: 'postgres://user:password@host:5432/db or sqlite:<file>',
  WARP_SECRET_KEY: '32 bytes as 64 hex characters or base64',
  WARP_SETUP_TOKEN: 'text of at least 16 characters',
  WARP_LOG_LEVEL: 'one of fatal, error, warn, info, debug, trace, silent',
  WARP_LOG_FORMAT: 'one of auto, pretty, json (auto: pretty on a terminal, JSON otherwise)',
  DOCKER_HOST: 'unix:///path, tcp://host:port or ssh://user@host (on Swarm: a manager)',
  DOCKER_TLS_VERIFY: '1 (TLS to a tcp:// engine) or 0',
  DOCKER_CERT_PATH: 'a directory path holding ca.pem, cert.pem and key.pem',
  SSH_AUTH_SOCK: 'the path of the ssh agent socket (for an ssh:// engine)',
  WARP_COMPOSE: '"docker compose" or "docker-compose"',
  DOCKER_CONFIG: 'a directory path (the Docker CLI config, where compose finds its plugins)',
  WARP_CLOUDFLARED_BIN: 'a program name or path',
  WARP_SYSTEMCTL_BIN: 'a program name or path',
  WARP_BASE_DOMAIN: 'a domain name, e.g. example.com',
  WARP_REPOS_ROOT: 'a directory path',
  WARP_PORT_RANGE: '<start>-<end>, a range inside 1024-65535, e.g. 8100-8999',
  WARP_TUNNEL_NAME: 'the name of a cloudflared tunnel',
  WARP_CLOUDFLARED_CONFIG: 'a file path',
  WARP_TUNNEL_RESTART: 'systemd:<unit>, docker:<container>, swarm:<service> or none',
  WARP_GITHUB_API_URL: 'an http(s) URL',
  WARP_GITHUB_WEB_URL: 'an http(s) URL',
  WARP_GITHUB_CLIENT_ID: 'a GitHub OAuth app client id',
  WARP_GITHUB_CLIENT_SECRET: 'a GitHub OAuth app client secret',
  WARP_GITHUB_APP_ID: 'a GitHub App id',
  WARP_GITHUB_APP_INSTALLATION_ID: 'a GitHub App installation id',
  WARP_GITHUB_APP_PRIVATE_KEY_FILE: 'a file path (PEM)',
  WARP_CLOUDFLARE_API_URL: 'an http(s) URL',
  WARP_CLOUDFLARE_API_TOKEN: 'a Cloudflare API token',
  WARP_ALLOWED_USERS: 'comma-separated GitHub logins',
  WARP_ALLOWED_ORGS: 'comma-separated GitHub organisations',
  WARP_ADMIN_USERS: 'comma-separated GitHub logins',
  WARP_TEMPLATE_ALLOWLIST: 'comma-separated owner/repo',
  WARP_JOB_CONCURRENCY: 'a number from 1 to 64',
  WARP_SESSION_MAX_HOURS: 'a number of hours from 1 to 8760 (a year)',
  WARP_BACKUP_HELPER_IMAGE:
    'an image reference, e.g. busybox:1.36 (reads and writes volumes for app backups)',
  WARP_RESTIC_BIN: 'the restic executable, e.g. restic or /usr/bin/restic',
  WARP_METRICS_INTERVAL:
    'a whole number of seconds from 1 to 3600 (first default of metrics.intervalSeconds)',
};

/** Variables whose value is a secret (or may hold one): an error never quotes them. */
const SECRET = new Set([
  'WARP_SECRET_KEY',
  'WARP_SETUP_TOKEN',
  'WARP_GITHUB_CLIENT_SECRET',
  'WARP_CLOUDFLARE_API_TOKEN',
  'WARP_DATABASE_URL',
]);

/** "WARP_PORT must be a number from 1 to 65535 (got 'abc')"; a secret's value is never quoted. */
export function configProblem(name: string, value: string | undefined): string {
  const form = ENV_FORMS[name as keyof Env] ?? 'valid';
  const shown = value && value.length > 80 ? `${value.slice(0, 80)}…` : value;
  const got =
    value === undefined
      ? ''
      : SECRET.has(name)
        ? ` (got a value of ${value.length} characters)`
        : ` (got '${shown}')`;
  return `${name} must be ${form}${got}`;
}
