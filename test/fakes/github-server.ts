import {
  createHash,
  createHmac,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
  verify,
} from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local fake of the GitHub endpoints Warp Panel uses (integration-facts §1–4): the OAuth web flow
 * (with PKCE and errors answered with HTTP 200), /user and org memberships, App installation tokens
 * minted only for a correctly RS256-signed JWT, installation repositories, template generation with
 * an "empty repository" phase, and name collisions, commit statuses (refused without the App's
 * `statuses: write`), and webhook deliveries to the panel signed like GitHub signs them
 * (`X-Hub-Signature-256`, `X-GitHub-Event`, `X-GitHub-Delivery`), with redelivery. The API lives under
 * `/api/v3` like on GitHub Enterprise Server, so base-URL handling is exercised too.
 */

/** A GitHub user the fake knows. */
export interface FakeUser {
  id: number;
  login: string;
  name: string | null;
}

/** A repository the fake knows. */
export interface FakeRepo {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  description: string | null;
  defaultBranch: string;
  isTemplate: boolean;
  /** Whether the App installation can see it. */
  visible: boolean;
  /** Polls of `/commits` still answered 409 "Git Repository is empty.". */
  emptyPollsLeft: number;
  template: string | null;
}

/** A commit status the App set (POST /repos/{owner}/{repo}/statuses/{sha}). */
export interface FakeCommitStatus {
  repo: string;
  sha: string;
  state: string;
  targetUrl: string | null;
  description: string | null;
  context: string;
}

/** A webhook delivery the fake sent to the panel, and the panel's answer. */
export interface FakeDelivery {
  id: string;
  event: string;
  body: Buffer;
  headers: Record<string, string>;
  status: number;
  answer: string;
}

/** One request the fake saw (no credentials recorded). */
export interface FakeGithubRequest {
  method: string;
  path: string;
}

const b64json = (part: string) =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
const rand = (prefix: string) => prefix + randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');

/** Start the fake on 127.0.0.1 (random port). */
export async function startFakeGithub() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const state = {
    oauth: { clientId: 'Iv1.fakeclient', clientSecret: rand('fake_secret_') },
    app: {
      appId: '4242',
      installationId: '777',
      privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      publicKey: publicKey as KeyObject,
      permissions: {
        administration: 'write',
        contents: 'read',
        metadata: 'read',
        statuses: 'write',
      } as Record<string, string>,
    },
    users: new Map<string, FakeUser>(),
    memberships: new Map<string, 'active' | 'pending'>(),
    /** The user the authorize page "signs in" (the browser's GitHub session). */
    authorizeAs: null as string | null,
    /** The next token exchange answers this error with HTTP 200, like GitHub does. */
    nextTokenError: null as { error: string; error_description: string } | null,
    /** Lifetime of installation tokens (GitHub: 1 hour). */
    tokenTtlMs: 60 * 60_000,
    /** Polls a generated repo answers 409 before it has content. */
    emptyPolls: 2,
    /** Base of clone URLs (the fake git server), else this server. */
    gitBaseUrl: null as string | null,
    onGenerate: null as ((template: FakeRepo, created: FakeRepo) => void | Promise<void>) | null,
    /** The next request whose path matches fails with this status and message. */
    failNext: null as { path: RegExp; status: number; message: string } | null,
    repos: new Map<string, FakeRepo>(),
    requests: [] as FakeGithubRequest[],
    /** Installation tokens issued, newest last. */
    installationTokens: [] as { token: string; expiresAt: number; revoked: boolean }[],
    userTokens: new Map<string, string>(),
    codes: new Map<string, { login: string; challenge: string | null; redirectUri: string; used: boolean }>(),
    lastAuthorize: null as URLSearchParams | null,
    /** Commit statuses set, oldest first. */
    statuses: [] as FakeCommitStatus[],
    /** Where webhooks go and the App's webhook secret (null: no webhook configured). */
    webhook: null as { url: string; secret: string } | null,
    /** Deliveries sent, oldest first (redeliveries included). */
    deliveries: [] as FakeDelivery[],
  };
  let nextId = 1000;
  // Deliveries go out one at a time, in order (GitHub does not promise that; tests want it).
  let deliveryChain: Promise<unknown> = Promise.resolve();
  function send_(url: string, event: string, body: Buffer, headers: Record<string, string>) {
    const next = deliveryChain.then(
      () =>
        new Promise<FakeDelivery>((resolve, reject) => {
          const req = http.request(
            url,
            { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => {
                const d: FakeDelivery = {
                  id: headers['x-github-delivery'] ?? '',
                  event,
                  body,
                  headers,
                  status: res.statusCode ?? 0,
                  answer: Buffer.concat(chunks).toString('utf8'),
                };
                state.deliveries.push(d);
                resolve(d);
              });
            },
          );
          req.on('error', reject);
          req.end(body);
        }),
    );
    deliveryChain = next.catch(() => {});
    return next;
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => send(res, 500, { message: `fake crashed: ${err.message}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function send(
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(body === null ? '' : JSON.stringify(body));
  }

  async function readBody(req: http.IncomingMessage): Promise<Record<string, string>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return {};
    if ((req.headers['content-type'] ?? '').includes('json'))
      return JSON.parse(text) as Record<string, string>;
    return Object.fromEntries(new URLSearchParams(text));
  }

  const repoJson = (r: FakeRepo) => ({
    id: r.id,
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    owner: { login: r.owner },
    private: r.private,
    description: r.description,
    default_branch: r.defaultBranch,
    is_template: r.isTemplate,
    html_url: `${origin}/${r.owner}/${r.name}`,
    clone_url: `${state.gitBaseUrl ?? origin}/${r.owner}/${r.name}.git`,
    ...(r.template ? { template_repository: { full_name: r.template } } : {}),
  });

  /** True when `jwt` is RS256-signed by the App's key, issued by the App id, and not expired. */
  function jwtValid(jwt: string): boolean {
    const [h, p, s] = jwt.split('.');
    if (!h || !p || !s) return false;
    try {
      if (b64json(h).alg !== 'RS256') return false;
      const ok = verify(
        'RSA-SHA256',
        Buffer.from(`${h}.${p}`),
        state.app.publicKey,
        Buffer.from(s, 'base64url'),
      );
      const claims = b64json(p);
      const now = Math.floor(Date.now() / 1000);
      const exp = Number(claims.exp);
      const iat = Number(claims.iat);
      return ok && String(claims.iss) === state.app.appId && exp > now && iat <= now + 60 && exp - iat <= 660;
    } catch {
      return false;
    }
  }

  const bearer = (req: http.IncomingMessage) =>
    (req.headers.authorization ?? '').replace(/^(bearer|token)\s+/i, '');
  const installationTokenValid = (token: string) =>
    state.installationTokens.some((t) => t.token === token && !t.revoked && t.expiresAt > Date.now());

  function authorize(res: http.ServerResponse, url: URL) {
    state.lastAuthorize = url.searchParams;
    const q = url.searchParams;
    if (q.get('client_id') !== state.oauth.clientId) return send(res, 404, { message: 'unknown client' });
    const login = state.authorizeAs;
    const redirect = new URL(q.get('redirect_uri') ?? '');
    if (!login) redirect.searchParams.set('error', 'access_denied');
    else {
      const code = rand('code_');
      const challenge = q.get('code_challenge_method') === 'S256' ? q.get('code_challenge') : null;
      state.codes.set(code, { login, challenge, redirectUri: q.get('redirect_uri') ?? '', used: false });
      redirect.searchParams.set('code', code);
    }
    redirect.searchParams.set('state', q.get('state') ?? '');
    res.writeHead(302, { location: redirect.toString() });
    res.end();
  }

  async function accessToken(req: http.IncomingMessage, res: http.ServerResponse) {
    const body = await readBody(req);
    // GitHub answers these errors with 200 and an `error` field.
    const fail = (error: string, description: string) =>
      send(res, 200, { error, error_description: description, error_uri: 'https://docs.github.com' });
    if (state.nextTokenError) {
      const e = state.nextTokenError;
      state.nextTokenError = null;
      return fail(e.error, e.error_description);
    }
    if (body.client_id !== state.oauth.clientId || body.client_secret !== state.oauth.clientSecret) {
      return fail('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
    }
    const grant = state.codes.get(body.code ?? '');
    if (!grant || grant.used)
      return fail('bad_verification_code', 'The code passed is incorrect or expired.');
    grant.used = true;
    if (grant.redirectUri !== body.redirect_uri)
      return fail('redirect_uri_mismatch', 'redirect_uri mismatch');
    if (grant.challenge) {
      const hashed = createHash('sha256')
        .update(body.code_verifier ?? '')
        .digest('base64url');
      if (hashed !== grant.challenge) return fail('bad_code_verifier', 'The code_verifier does not match.');
    }
    const token = rand('gho_');
    state.userTokens.set(token, grant.login);
    send(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:org,read:user' });
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, path: string, url: URL) {
    const mint = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    const membershipOrg = /^\/user\/memberships\/orgs\/([^/]+)$/.exec(path)?.[1];
    const repoPath = /^\/repos\/([^/]+)\/([^/]+)(\/generate|\/commits)?$/.exec(path);
    const statusPath = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([^/]+)$/.exec(path);
    if (req.method === 'POST' && mint) {
      if (!jwtValid(bearer(req))) return send(res, 401, { message: 'A JSON web token could not be decoded' });
      if (mint[1] !== state.app.installationId) return send(res, 404, { message: 'Not Found' });
      const token = rand('ghs_');
      const expiresAt = Date.now() + state.tokenTtlMs;
      state.installationTokens.push({ token, expiresAt, revoked: false });
      return send(res, 201, {
        token,
        expires_at: new Date(expiresAt).toISOString(),
        permissions: state.app.permissions,
        repository_selection: 'selected',
      });
    }
    if (path === '/user' || path.startsWith('/user/')) {
      const login = state.userTokens.get(bearer(req));
      const user = login ? state.users.get(login) : undefined;
      if (!user) return send(res, 401, { message: 'Bad credentials' });
      if (path === '/user') {
        return send(res, 200, {
          id: user.id,
          login: user.login,
          name: user.name,
          avatar_url: `${origin}/a/${user.id}`,
        });
      }
      if (membershipOrg) {
        const org = membershipOrg;
        const membership = state.memberships.get(`${org.toLowerCase()}/${user.login.toLowerCase()}`);
        if (!membership) return send(res, 404, { message: 'Not Found' });
        return send(res, 200, {
          state: membership,
          role: 'member',
          organization: { login: org },
          user: { login: user.login },
        });
      }
      return send(res, 404, { message: 'Not Found' });
    }
    // Everything below needs an installation token.
    if (!installationTokenValid(bearer(req))) return send(res, 401, { message: 'Bad credentials' });
    if (req.method === 'GET' && path === '/installation/repositories') {
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100);
      const page = Math.max(Number(url.searchParams.get('page') ?? 1), 1);
      const visible = [...state.repos.values()].filter((r) => r.visible);
      const slice = visible.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      if (page * perPage < visible.length) {
        headers.link = `<${origin}/api/v3/installation/repositories?per_page=${perPage}&page=${page + 1}>; rel="next"`;
      }
      const body = {
        total_count: visible.length,
        repository_selection: 'selected',
        repositories: slice.map(repoJson),
      };
      return send(res, 200, body, headers);
    }
    if (req.method === 'POST' && statusPath) return commitStatus(req, res, statusPath);
    if (repoPath) {
      const [, owner = '', name = '', action] = repoPath;
      const repo = state.repos.get(`${owner}/${name}`.toLowerCase());
      if (!repo?.visible) return send(res, 404, { message: 'Not Found' });
      if (req.method === 'GET' && !action) return send(res, 200, repoJson(repo));
      if (req.method === 'GET' && action === '/commits') {
        if (repo.emptyPollsLeft > 0) {
          repo.emptyPollsLeft -= 1;
          return send(res, 409, { message: 'Git Repository is empty.' });
        }
        return send(res, 200, [{ sha: createHash('sha1').update(repo.name).digest('hex') }]);
      }
      if (req.method === 'POST' && action === '/generate') return generate(req, res, repo);
    }
    return send(res, 404, { message: 'Not Found' });
  }

  async function commitStatus(req: http.IncomingMessage, res: http.ServerResponse, m: RegExpExecArray) {
    const [, owner = '', name = '', sha = ''] = m;
    const repo = state.repos.get(`${owner}/${name}`.toLowerCase());
    if (!repo?.visible) return send(res, 404, { message: 'Not Found' });
    // GitHub's answer for an installation without "Commit statuses: write".
    if (state.app.permissions.statuses !== 'write')
      return send(res, 403, { message: 'Resource not accessible by integration' });
    const body = (await readBody(req)) as unknown as Record<string, unknown>;
    if (!['error', 'failure', 'pending', 'success'].includes(String(body.state)))
      return send(res, 422, { message: 'Validation Failed' });
    if (!/^[0-9a-f]{40}$/.test(sha)) return send(res, 422, { message: 'No commit found for SHA' });
    const status: FakeCommitStatus = {
      repo: `${repo.owner}/${repo.name}`,
      sha,
      state: String(body.state),
      targetUrl: typeof body.target_url === 'string' ? body.target_url : null,
      description: typeof body.description === 'string' ? body.description : null,
      context: typeof body.context === 'string' ? body.context : 'default',
    };
    state.statuses.push(status);
    return send(res, 201, { id: state.statuses.length, ...status });
  }

  async function generate(req: http.IncomingMessage, res: http.ServerResponse, template: FakeRepo) {
    const body = (await readBody(req)) as unknown as { owner?: string; name: string; private?: boolean };
    if (!template.isTemplate)
      return send(res, 422, { message: `${template.owner}/${template.name} is not a template` });
    const owner = body.owner ?? template.owner;
    if (state.repos.has(`${owner}/${body.name}`.toLowerCase())) {
      return send(res, 422, {
        message: 'Repository creation failed.',
        errors: [
          {
            resource: 'Repository',
            code: 'custom',
            field: 'name',
            message: 'name already exists on this account',
          },
        ],
      });
    }
    const created = fake.addRepo({
      owner,
      name: body.name,
      private: body.private ?? false,
      description: template.description,
    });
    created.emptyPollsLeft = state.emptyPolls;
    created.template = `${template.owner}/${template.name}`;
    await state.onGenerate?.(template, created);
    return send(res, 201, repoJson(created));
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    state.requests.push({ method: req.method ?? 'GET', path: url.pathname });
    const failure = state.failNext;
    if (failure?.path.test(url.pathname)) {
      state.failNext = null;
      return send(res, failure.status, { message: failure.message });
    }
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') return authorize(res, url);
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') return accessToken(req, res);
    if (url.pathname.startsWith('/api/v3/'))
      return handleApi(req, res, url.pathname.slice('/api/v3'.length), url);
    send(res, 404, { message: 'Not Found' });
  }

  const fake = {
    state,
    /** Web URL (settings.github.webUrl). */
    webUrl: origin,
    /** API URL (settings.github.apiUrl), GHES style. */
    apiUrl: `${origin}/api/v3`,
    addUser(login: string, name: string | null = null): FakeUser {
      const user = { id: nextId++, login, name };
      state.users.set(login, user);
      return user;
    },
    setMembership(org: string, login: string, membership: 'active' | 'pending' | null) {
      const key = `${org.toLowerCase()}/${login.toLowerCase()}`;
      if (membership) state.memberships.set(key, membership);
      else state.memberships.delete(key);
    },
    addRepo(r: Partial<FakeRepo> & { owner: string; name: string }): FakeRepo {
      const repo: FakeRepo = {
        id: nextId++,
        private: false,
        description: null,
        defaultBranch: 'main',
        isTemplate: false,
        visible: true,
        emptyPollsLeft: 0,
        template: null,
        ...r,
      };
      state.repos.set(`${repo.owner}/${repo.name}`.toLowerCase(), repo);
      return repo;
    },
    /**
     * Send a webhook to `state.webhook.url` like GitHub: JSON body, `X-Hub-Signature-256` under the
     * webhook secret (or `opts.signature` / none with `opts.unsigned`), event and delivery headers.
     * Deliveries go out one after another, in call order.
     */
    deliver(
      event: string,
      payload: unknown,
      opts: { deliveryId?: string; signature?: string; unsigned?: boolean; secret?: string } = {},
    ): Promise<FakeDelivery> {
      const hook = state.webhook;
      if (!hook) throw new Error('fake GitHub: no webhook configured');
      const body = Buffer.from(JSON.stringify(payload));
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/fake',
        'x-github-event': event,
        'x-github-delivery': opts.deliveryId ?? randomUUID(),
        'x-github-hook-installation-target-type': 'integration',
      };
      if (!opts.unsigned) {
        headers['x-hub-signature-256'] =
          opts.signature ??
          `sha256=${createHmac('sha256', opts.secret ?? hook.secret)
            .update(body)
            .digest('hex')}`;
      }
      return send_(hook.url, event, body, headers);
    },
    /** Send a delivery again (GitHub's "Redeliver"): the same body and delivery id, signed with the secret now set. */
    redeliver(deliveryId: string): Promise<FakeDelivery> {
      const first = state.deliveries.find((d) => d.id === deliveryId);
      const hook = state.webhook;
      if (!first || !hook) throw new Error(`fake GitHub: no delivery ${deliveryId}`);
      const signature = `sha256=${createHmac('sha256', hook.secret).update(first.body).digest('hex')}`;
      return send_(hook.url, first.event, first.body, { ...first.headers, 'x-hub-signature-256': signature });
    },
    /** The `push` payload GitHub sends for `ref` moving from `before` to `after` in `owner/name`. */
    pushPayload(fullName: string, u: { ref: string; before: string; after: string; sender?: string }) {
      const repo = state.repos.get(fullName.toLowerCase());
      const zero = /^0{40}$/;
      return {
        ref: u.ref,
        before: u.before,
        after: u.after,
        created: zero.test(u.before),
        deleted: zero.test(u.after),
        forced: false,
        base_ref: null,
        compare: `${origin}/${fullName}/compare`,
        commits: [],
        head_commit: zero.test(u.after) ? null : { id: u.after, message: 'update' },
        repository: {
          id: repo?.id ?? 1,
          name: repo?.name ?? fullName.split('/')[1],
          full_name: repo ? `${repo.owner}/${repo.name}` : fullName,
          owner: { login: repo?.owner ?? fullName.split('/')[0], name: repo?.owner ?? null },
          private: repo?.private ?? false,
          default_branch: repo?.defaultBranch ?? 'main',
          master_branch: repo?.defaultBranch ?? 'main',
        },
        pusher: { name: u.sender ?? 'octocat', email: null },
        sender: { login: u.sender ?? 'octocat', id: 1 },
        installation: { id: Number(state.app.installationId) },
      };
    },
    /** Wait until every delivery started so far was answered. */
    settled: () => deliveryChain,
    /** Make every issued installation token answer 401 (revoked / expired early). */
    revokeInstallationTokens() {
      for (const t of state.installationTokens) t.revoked = true;
    },
    /** Whether `token` is a live installation token (the fake git server asks this). */
    isValidInstallationToken: installationTokenValid,
    /** Requests seen whose path matches. */
    count: (method: string, path: RegExp) =>
      state.requests.filter((r) => r.method === method && path.test(r.path)).length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return fake;
}

/** The running fake GitHub. */
export type FakeGithub = Awaited<ReturnType<typeof startFakeGithub>>;
