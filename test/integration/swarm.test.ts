/**
 * Projects on a real two-node Swarm (test/support/swarm-bed.ts: two private dockerd in their own
 * network namespaces, one manager and one worker; the main engine is not touched). The panel talks
 * only to the manager's socket. Publishing runs cloudflared as a Swarm service — here the fake
 * connector (test/fakes/cloudflared-connector.ts) in an image of its own — on the shared overlay
 * network, and requests are sent to each connector as the edge would: they must reach the tasks on
 * both nodes through `http://<service>:<port>`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployEnv, ensureDeployImages, jobLog, WEB_IMAGE } from '../support/deploy-env.js';
import {
  dockerRequired,
  ensureTestImage,
  requireDocker,
  skipWithoutDocker,
  TEST_IMAGE,
} from '../support/docker.js';
import { openSse, waitForJob } from '../support/job-helpers.js';
import { capturedLogLines } from '../support/log-capture.js';
import { bridgeHostPorts, type PortBridge } from '../support/netns-port-bridge.js';
import { type SwarmBed, startSwarmBed, swarmBedProblem } from '../support/swarm-bed.js';
import { ensureConnectorImage } from '../support/swarm-connector-image.js';
import {
  ensureWhoamiImage,
  eventually,
  runEdge,
  runningTasks,
  throughConnector,
  WHOAMI_IMAGE,
} from '../support/swarm-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const noDocker = await skipWithoutDocker();
const problem = noDocker ? null : swarmBedProblem();
if (problem && dockerRequired()) throw new Error(`the Swarm bed cannot run here: ${problem}`);

describe.skipIf(noDocker || problem !== null)('projects on a two-node Swarm', { timeout: 300_000 }, () => {
  let bed: SwarmBed;
  let t: TestApp;
  let auth: Record<string, string>;
  let main: Docker;
  let connectorImage: string;
  let cloudflared: string;
  let configFile: string;
  let bridge: PortBridge;
  const hostnames = () => bed.nodes.map((n) => n.hostname).sort();

  const api = async (method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, payload?: unknown) =>
    t.app.http.inject({
      method,
      url,
      headers: auth,
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const deployed = async (res: Awaited<ReturnType<typeof api>>) => {
    expect(res.statusCode, res.body).toBe(202);
    const { project, job } = res.json();
    const done = await waitForJob(t, auth, job.id, 240_000);
    expect(done.status, await jobLog(t, auth, job.id)).toBe('succeeded');
    return project as { id: string; hostname: string };
  };
  const tasksOf = async (id: string) => {
    const res = await api('GET', `/api/v1/projects/${id}/tasks`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items as { service: string; node: string; state: string; desiredState: string }[];
  };
  const running = async (id: string) =>
    (await tasksOf(id)).filter((x) => x.state === 'running' && x.desiredState === 'running');
  /** Through every running connector, `count` requests each; the bodies (task hostnames) seen. */
  const askEveryConnector = async (host: string, count: number) => {
    const connectors = await runningTasks(bed, cloudflared);
    const answers = [];
    for (const c of connectors) answers.push(...(await throughConnector(c, host, count)));
    return answers;
  };

  beforeAll(async () => {
    main = await requireDocker();
    await ensureTestImage(main);
    await ensureDeployImages(main);
    await ensureWhoamiImage(main);
    connectorImage = await ensureConnectorImage(main);
    bed = await startSwarmBed();
    await bed.loadImages([TEST_IMAGE, WEB_IMAGE, WHOAMI_IMAGE, connectorImage]);
    cloudflared = `warp-cf-${bed.id}`;
    t = await createTestApp({
      env: {
        ...deployEnv('18100-18199'),
        DOCKER_HOST: bed.manager.dockerHost,
        WARP_TUNNEL_RESTART: `swarm:${cloudflared}`,
      },
      healthGate: { timeoutMs: 90_000, stableMs: 2_000 },
    });
    auth = await t.adminBearer();
    const reposRoot = path.join(t.dataDir, 'repos');
    fs.mkdirSync(reposRoot, { recursive: true });
    const credentials = path.join(t.dataDir, 'tunnel-credentials.json');
    fs.writeFileSync(
      credentials,
      JSON.stringify({ AccountTag: 'a', TunnelID: 'b', TunnelSecret: 'c2VjcmV0' }),
      {
        mode: 0o600,
      },
    );
    configFile = path.join(t.dataDir, 'cloudflared', 'config.yml');
    fs.mkdirSync(path.dirname(configFile), { recursive: true });
    fs.writeFileSync(
      configFile,
      [
        'tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef',
        `credentials-file: ${credentials}`,
        'ingress:',
        '  - hostname: nas.example.test',
        '    service: http://192.168.1.10:5000',
        '  - service: http_status:404',
        '',
      ].join('\n'),
    );
    const patched = await api('PATCH', '/api/v1/settings', {
      reposRoot,
      // This kernel has no IPVS: Swarm's virtual IPs do not answer here, DNS round robin does.
      swarm: {
        endpointMode: 'dnsrr',
        cloudflaredImage: connectorImage,
        cloudflaredReplicas: 2,
        updateDelaySeconds: 1,
        updateMonitorSeconds: 2,
      },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    t.app.runner.start();
    bridge = bridgeHostPorts(bed.manager, 'warp.project');
  }, 300_000);

  afterAll(async () => {
    await bridge?.close();
    await t?.close();
    await bed?.close();
  }, 120_000);

  it('shows the engine as a Swarm manager and lists both nodes', async () => {
    const res = await api('GET', '/api/v1/nodes');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.mode).toBe('swarm');
    expect(body.role).toBe('manager');
    expect(body.items.map((n: { hostname: string }) => n.hostname).sort()).toEqual(hostnames());
    const mgr = body.items.find((n: { hostname: string }) => n.hostname === bed.manager.hostname);
    expect(mgr).toMatchObject({
      role: 'manager',
      leader: true,
      self: true,
      availability: 'active',
      state: 'ready',
    });
    expect(mgr.engineVersion).toMatch(/^26\./);
    expect(mgr.resources.nanoCpus).toBeGreaterThan(0);
    const worker = body.items.find((n: { hostname: string }) => n.hostname === bed.workers[0]!.hostname);
    expect(worker).toMatchObject({
      role: 'worker',
      leader: false,
      self: false,
      state: 'ready',
      id: bed.workers[0]!.nodeId,
    });
  });

  it('gives the join command to admins, and the token lands in no log or audit entry', async () => {
    const res = await api('GET', '/api/v1/nodes/join');
    expect(res.statusCode, res.body).toBe(200);
    const { token, command, managers } = res.json();
    expect(token).toMatch(/^SWMTKN-1-/);
    expect(managers).toEqual([`${bed.manager.address}:2377`]);
    expect(command).toBe(`docker swarm join --token ${token} ${bed.manager.address}:2377`);
    expect(res.headers['cache-control']).toBe('no-store');
    const audit = await api('GET', '/api/v1/audit?action=swarm.join_token.read');
    expect(audit.json().items).toHaveLength(1);
    expect(audit.body).not.toContain(token);
    expect(capturedLogLines.filter((l) => l.includes(token))).toEqual([]);
  });

  let quick: { id: string; hostname: string };

  it('runs a quick service as 2 replicas on both nodes, published through cloudflared on Swarm', async () => {
    quick = await deployed(
      await api('POST', '/api/v1/projects/quick-service', {
        image: WHOAMI_IMAGE,
        subdomain: 'who',
        target: 'swarm',
        replicas: 2,
        resources: { memoryMb: 64 },
      }),
    );
    const project = (await api('GET', `/api/v1/projects/${quick.id}`)).json();
    expect(project).toMatchObject({
      target: 'swarm',
      replicas: 2,
      status: 'running',
      hostPort: null,
      name: 'whoami',
    });
    const tasks = await running(quick.id);
    expect(tasks.map((x) => x.node).sort()).toEqual(hostnames());

    // The route points at the service's DNS name; cloudflared runs as a Swarm service on both nodes.
    expect(fs.readFileSync(configFile, 'utf8')).toContain('service: http://whoami:80');
    const connectors = await runningTasks(bed, cloudflared);
    expect(connectors.map((c) => c.node.hostname).sort()).toEqual(hostnames());
    const service = (await bed.manager.docker.getService(cloudflared).inspect()) as {
      Spec: { TaskTemplate: { ContainerSpec: { Configs: { ConfigName: string }[]; Secrets: unknown[] } } };
    };
    expect(service.Spec.TaskTemplate.ContainerSpec.Configs[0]!.ConfigName).toMatch(
      new RegExp(`^${cloudflared}-config-`),
    );
    expect(service.Spec.TaskTemplate.ContainerSpec.Secrets).toHaveLength(1);

    // Each connector (one per node) reaches both tasks over the overlay network.
    const containers = new Set<string>();
    for (const c of connectors) {
      const answers = await throughConnector(c, 'who.example.test', 16);
      expect(
        answers.every((a) => a.status === 200),
        JSON.stringify(answers),
      ).toBe(true);
      const seen = new Set(answers.map((a) => a.body));
      expect(seen.size, `connector on ${c.node.hostname} saw ${[...seen]}`).toBe(2);
      for (const s of seen) containers.add(s);
    }
    expect(containers.size).toBe(2);
    // A foreign rule is kept, and the catch-all still answers.
    const other = await throughConnector(connectors[0]!, 'nothing.example.test', 1);
    expect(other[0]!.status).toBe(404);

    // The deploy is a release like on the host: live, a rolling update, the image it ran.
    const releases = (await api('GET', `/api/v1/projects/${quick.id}/releases`)).json().items;
    expect(releases).toHaveLength(1);
    expect(releases[0]).toMatchObject({
      seq: 1,
      live: true,
      strategy: 'rolling',
      hostPort: null,
      images: [{ service: 'whoami', image: WHOAMI_IMAGE }],
    });
    expect(project.images).toEqual([
      { service: 'whoami', image: WHOAMI_IMAGE, digest: null, imageId: expect.stringMatching(/^sha256:/) },
    ]);
  });

  it('refuses an image from a registry that is not allowed, before anything exists', async () => {
    const registry = await api('POST', '/api/v1/projects/quick-service', {
      image: '127.0.0.1:5999/team/app:1',
      subdomain: 'private',
      target: 'swarm',
    });
    expect(registry.statusCode, registry.body).toBe(400);
    expect(registry.json().error.details[0].path).toBe('image');
    expect(
      (await api('GET', '/api/v1/projects')).json().items.map((p: { subdomain: string }) => p.subdomain),
    ).not.toContain('private');
  });

  it('refuses stop/start and a rename of a Swarm project: the Swarm keeps its tasks, the name is its DNS name', async () => {
    const stop = await api('POST', `/api/v1/projects/${quick.id}/stop`);
    expect(stop.statusCode, stop.body).toBe(409);
    expect(stop.json().error.message).toMatch(/runs on Swarm/);
    const rename = await api('PATCH', `/api/v1/projects/${quick.id}`, { name: 'other' });
    expect(rename.statusCode, rename.body).toBe(400);
    expect(rename.json().error.details).toEqual([
      { path: 'name', message: expect.stringMatching(/Swarm service/) },
    ]);
    expect((await api('GET', `/api/v1/projects/${quick.id}`)).json().name).toBe('whoami');
  });

  it('reads the service logs across its tasks on both nodes', async () => {
    const res = await api('GET', `/api/v1/projects/${quick.id}/service-logs?tail=20`);
    expect(res.statusCode, res.body).toBe(200);
    const lines = res.json().lines as { text: string; node: string; service: string; taskId: string }[];
    const serving = lines.filter((l) => l.text.startsWith('serving as '));
    expect(new Set(serving.map((l) => l.node))).toEqual(new Set(hostnames()));
    expect(serving.every((l) => l.service === 'whoami' && l.taskId)).toBe(true);

    // The live stream follows the service across its tasks on both nodes.
    await t.app.http.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.http.server.address() as { port: number };
    const sse = await openSse(
      `http://127.0.0.1:${port}/api/v1/projects/${quick.id}/service-logs/stream?tail=5`,
      auth,
    );
    expect(sse.status).toBe(200);
    const nodesOf = (events: { data: string }[]) =>
      new Set(
        events
          .map((e) => JSON.parse(e.data) as { node: string; text: string })
          .filter((l) => l.text.startsWith('serving as '))
          .map((l) => l.node),
      );
    const events = await sse.wait((all) => nodesOf(all).size === 2, 20_000);
    sse.close();
    expect(nodesOf(events)).toEqual(new Set(hostnames()));
  });

  /** What the host placement answers on its port (through the bridge into the manager's namespace). */
  const onHostPort = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/`).catch(() => null);
    return res ? { status: res.status, body: (await res.text()).trim() } : null;
  };
  const hostContainers = async (id: string) =>
    (
      await bed.manager.docker.listContainers({ all: true, filters: { label: [`warp.project=${id}`] } })
    ).filter((c) => !c.Labels['com.docker.swarm.task.id']);
  const reservedPorts = async (id: string) =>
    (
      await t.app.db.kysely
        .selectFrom('port_reservations')
        .select('port')
        .where('project_id', '=', id)
        .execute()
    ).map((r) => r.port);
  let moved: { id: string; hostname: string };
  let stays: { id: string; hostname: string };

  it('moves a quick service from the host to the Swarm: 2 replicas on both nodes, the host container and port gone', async () => {
    moved = await deployed(
      await api('POST', '/api/v1/projects/quick-service', {
        image: WHOAMI_IMAGE,
        subdomain: 'moved',
        name: 'moved',
      }),
    );
    const before = (await api('GET', `/api/v1/projects/${moved.id}`)).json();
    expect(before).toMatchObject({ target: 'host', replicas: null, status: 'running', name: 'moved' });
    expect(before.hostPort).toEqual(expect.any(Number));
    expect(fs.readFileSync(configFile, 'utf8')).toContain(`service: http://localhost:${before.hostPort}`);
    const hostAnswer = await onHostPort(before.hostPort);
    expect(hostAnswer?.status).toBe(200);
    expect(await reservedPorts(moved.id)).toEqual([before.hostPort]);

    const patched = await api('PATCH', `/api/v1/projects/${moved.id}`, { target: 'swarm', replicas: 2 });
    expect(patched.statusCode, patched.body).toBe(200);
    // Applied at the next deploy: it still runs on the host, the settings say where it goes.
    expect(patched.json()).toMatchObject({
      target: 'host',
      replicas: null,
      settings: { target: 'swarm', replicas: 2 },
    });
    expect((await onHostPort(before.hostPort))?.status).toBe(200);

    const res = await api('POST', `/api/v1/projects/${moved.id}/redeploy`);
    expect(res.statusCode, res.body).toBe(202);
    const done = await waitForJob(t, auth, res.json().job.id, 240_000);
    const log = await jobLog(t, auth, res.json().job.id);
    expect(done.status, log).toBe('succeeded');
    expect(log).toMatch(/moving moved from this host to the Swarm \(2 replica\(s\)\)/);
    // The new placement first; the old one goes after the route switched, and the route stays.
    expect(log.indexOf('Creating Swarm service moved')).toBeLessThan(
      log.indexOf('Publishing moved.example.test'),
    );
    expect(log.indexOf('Publishing moved.example.test')).toBeLessThan(
      log.indexOf('Taking down the old placement on this host'),
    );
    expect(log).not.toContain('Removing the route');

    const after = (await api('GET', `/api/v1/projects/${moved.id}`)).json();
    expect(after).toMatchObject({
      target: 'swarm',
      replicas: 2,
      hostPort: null,
      status: 'running',
      name: 'moved',
      containerNames: ['moved'],
      settings: { target: 'swarm', replicas: 2 },
    });
    expect((await running(moved.id)).map((x) => x.node).sort()).toEqual(hostnames());
    const text = fs.readFileSync(configFile, 'utf8');
    expect(text).toContain('service: http://moved:80');
    expect(text).not.toContain(`http://localhost:${before.hostPort}`);
    const answers = await askEveryConnector('moved.example.test', 12);
    expect(
      answers.every((a) => a.status === 200),
      JSON.stringify(answers),
    ).toBe(true);
    expect(new Set(answers.map((a) => a.body)).size).toBe(2);
    expect(answers.map((a) => a.body)).not.toContain(hostAnswer?.body);
    // The host container and its port reservation are gone.
    expect(await hostContainers(moved.id)).toEqual([]);
    expect(await reservedPorts(moved.id)).toEqual([]);
    await eventually('the host port closed', async () => (await onHostPort(before.hostPort)) === null);

    // A release on the new target; rolling back to the host release is refused with the reason.
    const releases = (await api('GET', `/api/v1/projects/${moved.id}/releases`)).json().items as {
      id: string;
      seq: number;
      live: boolean;
      strategy: string;
    }[];
    expect(releases.map((r) => [r.seq, r.live, r.strategy])).toEqual([
      [2, true, 'rolling'],
      [1, false, 'blue-green'],
    ]);
    const back = await api('POST', `/api/v1/projects/${moved.id}/releases/${releases[1]!.id}/rollback`);
    expect(back.statusCode, back.body).toBe(409);
    expect(back.json().error.message).toMatch(/ran on this host.*move the project back first/);
  });

  it('a move to the Swarm that fails leaves the host placement serving, and nothing of the Swarm one', async () => {
    stays = await deployed(
      await api('POST', '/api/v1/projects/quick-service', {
        image: WHOAMI_IMAGE,
        subdomain: 'stays',
        name: 'stays',
      }),
    );
    const before = (await api('GET', `/api/v1/projects/${stays.id}`)).json();
    const served = await onHostPort(before.hostPort);
    expect(served?.status).toBe(200);
    const configBefore = fs.readFileSync(configFile, 'utf8');
    // An image no node has and no registry serves: its tasks cannot start anywhere.
    const patched = await api('PATCH', `/api/v1/projects/${stays.id}`, {
      target: 'swarm',
      replicas: 2,
      image: 'warp-test/nowhere-to-be-found:1',
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const res = await api('POST', `/api/v1/projects/${stays.id}/redeploy`);
    expect(res.statusCode, res.body).toBe(202);
    const done = await waitForJob(t, auth, res.json().job.id, 240_000);
    const log = await jobLog(t, auth, res.json().job.id);
    expect(done.status, log).toBe('failed');
    expect(done.error.message).toMatch(/the move to the Swarm failed: .*keeps running where it was/);
    expect(log).not.toContain('Publishing stays.example.test');
    expect(log).not.toContain('Taking down the old placement');

    const after = (await api('GET', `/api/v1/projects/${stays.id}`)).json();
    expect(after).toMatchObject({
      target: 'host',
      replicas: null,
      status: 'running',
      hostPort: before.hostPort,
      containerNames: before.containerNames,
    });
    expect(await onHostPort(before.hostPort)).toEqual(served);
    expect((await hostContainers(stays.id)).map((c) => c.State)).toEqual(['running']);
    expect(await reservedPorts(stays.id)).toEqual([before.hostPort]);
    const services = (await bed.manager.docker.listServices({
      filters: { label: [`warp.project=${stays.id}`] },
    })) as unknown[];
    expect(services).toEqual([]);
    expect(fs.readFileSync(configFile, 'utf8')).toBe(configBefore);
    const releases = (await api('GET', `/api/v1/projects/${stays.id}/releases`)).json().items;
    expect(releases.map((r: { seq: number; live: boolean }) => [r.seq, r.live])).toEqual([[1, true]]);

    // The move waits for the next deploy until it is called off.
    const off = await api('PATCH', `/api/v1/projects/${stays.id}`, { target: 'host', image: WHOAMI_IMAGE });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().settings).toMatchObject({ target: 'host', replicas: null });
    const gone = await api('DELETE', `/api/v1/projects/${stays.id}`);
    expect((await waitForJob(t, auth, gone.json().job.id, 120_000)).status).toBe('succeeded');
    expect(await hostContainers(stays.id)).toEqual([]);
  });

  it('moves the quick service back to the host: the container answers first, then the Swarm service goes', async () => {
    const patched = await api('PATCH', `/api/v1/projects/${moved.id}`, { target: 'host' });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ target: 'swarm', settings: { target: 'host', replicas: null } });
    const res = await api('POST', `/api/v1/projects/${moved.id}/redeploy`);
    const done = await waitForJob(t, auth, res.json().job.id, 240_000);
    const log = await jobLog(t, auth, res.json().job.id);
    expect(done.status, log).toBe('succeeded');
    expect(log.indexOf('Waiting for the app to answer on port')).toBeLessThan(
      log.indexOf('Switching moved.example.test'),
    );
    expect(log.indexOf('Switching moved.example.test')).toBeLessThan(
      log.indexOf('Taking down the old placement on the Swarm'),
    );
    const after = (await api('GET', `/api/v1/projects/${moved.id}`)).json();
    expect(after).toMatchObject({ target: 'host', replicas: null, status: 'running', name: 'moved' });
    expect(after.hostPort).toEqual(expect.any(Number));
    expect((await onHostPort(after.hostPort))?.status).toBe(200);
    expect(await reservedPorts(moved.id)).toEqual([after.hostPort]);
    expect((await hostContainers(moved.id)).map((c) => c.State)).toEqual(['running']);
    const services = await bed.manager.docker.listServices({
      filters: { label: [`warp.project=${moved.id}`] },
    });
    expect(services).toEqual([]);
    const text = fs.readFileSync(configFile, 'utf8');
    expect(text).toContain(`service: http://localhost:${after.hostPort}`);
    expect(text).not.toContain('http://moved:80');
    const releases = (await api('GET', `/api/v1/projects/${moved.id}/releases`)).json().items;
    expect(releases[0]).toMatchObject({ seq: 3, live: true, hostPort: after.hostPort });
  });

  it('moves a compose project from the host to the Swarm as a stack, and the host compose project goes', async () => {
    const dir = path.join(t.dataDir, 'repos', 'mover');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'compose.yaml'),
      [
        'services:',
        '  web:',
        `    image: ${WHOAMI_IMAGE}`,
        '    labels: { warp.proxy: "true", warp.port: "80" }',
        '',
      ].join('\n'),
    );
    const mover = await deployed(
      await api('POST', '/api/v1/projects/deploy-existing', { path: 'mover', subdomain: 'mover' }),
    );
    const before = (await api('GET', `/api/v1/projects/${mover.id}`)).json();
    expect(before).toMatchObject({ target: 'host', composeProject: 'warp-mover', status: 'running' });
    expect((await onHostPort(before.hostPort))?.status).toBe(200);
    const patched = await api('PATCH', `/api/v1/projects/${mover.id}`, { target: 'swarm', replicas: 2 });
    expect(patched.statusCode, patched.body).toBe(200);
    const res = await api('POST', `/api/v1/projects/${mover.id}/redeploy`);
    const done = await waitForJob(t, auth, res.json().job.id, 240_000);
    const log = await jobLog(t, auth, res.json().job.id);
    expect(done.status, log).toBe('succeeded');
    expect(log).toContain('docker stack deploy --compose-file');
    // The host compose project's networks keep their names until it goes: the stack is named apart.
    expect(log).toContain('the stack is named warp-mover-swarm');
    const after = (await api('GET', `/api/v1/projects/${mover.id}`)).json();
    expect(after).toMatchObject({
      target: 'swarm',
      replicas: 2,
      hostPort: null,
      status: 'running',
      composeProject: 'warp-mover-swarm',
    });
    expect(fs.readFileSync(configFile, 'utf8')).toContain('service: http://warp-mover-swarm_web:80');
    const composeNetworks = await bed.manager.docker.listNetworks({
      filters: { label: ['com.docker.compose.project=warp-mover'] },
    });
    expect(composeNetworks).toEqual([]);
    expect(
      (await running(mover.id))
        .filter((x) => x.service === 'warp-mover-swarm_web')
        .map((x) => x.node)
        .sort(),
    ).toEqual(hostnames());
    const answers = await askEveryConnector('mover.example.test', 8);
    expect(
      answers.every((a) => a.status === 200),
      JSON.stringify(answers),
    ).toBe(true);
    expect(await hostContainers(mover.id)).toEqual([]);
    expect(await reservedPorts(mover.id)).toEqual([]);
    // Back to the host is refused for a stack, with the reason.
    const back = await api('PATCH', `/api/v1/projects/${mover.id}`, { target: 'host' });
    expect(back.statusCode, back.body).toBe(409);
    const gone = await api('DELETE', `/api/v1/projects/${mover.id}`);
    expect((await waitForJob(t, auth, gone.json().job.id, 120_000)).status).toBe('succeeded');
  });

  let stack: { id: string; hostname: string };

  it('refuses a compose project whose build Swarm cannot run, before anything starts', async () => {
    const dir = path.join(t.dataDir, 'repos', 'builds');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'compose.yaml'),
      ['services:', '  web:', '    build: .', '    labels: { warp.proxy: "true", warp.port: "80" }', ''].join(
        '\n',
      ),
    );
    const res = await api('POST', '/api/v1/projects/deploy-existing', {
      path: 'builds',
      subdomain: 'builds',
      target: 'swarm',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      { path: 'services.web.build', message: expect.stringMatching(/^Swarm cannot build images/) },
    ]);
    expect(
      (await api('GET', '/api/v1/projects')).json().items.map((p: { name: string }) => p.name),
    ).not.toContain('builds');

    // The compose policy applies on Swarm as on the host (judged on the resolved model).
    const risky = path.join(t.dataDir, 'repos', 'risky');
    fs.mkdirSync(risky, { recursive: true });
    fs.writeFileSync(
      path.join(risky, 'compose.yaml'),
      [
        'services:',
        '  web:',
        `    image: ${WHOAMI_IMAGE}`,
        '    privileged: true',
        '    labels: { warp.proxy: "true", warp.port: "80" }',
        '',
      ].join('\n'),
    );
    const refused = await api('POST', '/api/v1/projects/deploy-existing', {
      path: 'risky',
      subdomain: 'risky',
      target: 'swarm',
    });
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().error.details.map((d: { path: string }) => d.path)).toContain(
      'services.web.privileged',
    );
  });

  it('deploys a compose project as a stack from the resolved model, on both nodes', async () => {
    const dir = path.join(t.dataDir, 'repos', 'shop');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'compose.yaml'),
      [
        'services:',
        '  web:',
        `    image: ${WHOAMI_IMAGE}`,
        '    labels: { warp.proxy: "true", warp.port: "80" }',
        '    restart: unless-stopped',
        '    depends_on: [worker]',
        '  worker:',
        `    image: ${TEST_IMAGE}`,
        '    command: ["sleep", "3600"]',
        '    environment:',
        '      GREETING: ${GREETING:-hello}',
        '',
      ].join('\n'),
    );
    const res = await api('POST', '/api/v1/projects/deploy-existing', {
      path: 'shop',
      subdomain: 'shop',
      target: 'swarm',
      replicas: 2,
    });
    stack = await deployed(res);
    const log = await jobLog(t, auth, res.json().job.id);
    expect(log).toContain('docker stack deploy --compose-file');
    expect(log).toMatch(/web: depends_on is ignored on Swarm/);
    const project = (await api('GET', `/api/v1/projects/${stack.id}`)).json();
    expect(project).toMatchObject({
      target: 'swarm',
      replicas: 2,
      composeProject: 'warp-shop',
      status: 'running',
    });
    expect(project.containerNames).toEqual(['warp-shop_web', 'warp-shop_worker']);
    // The status watcher reads this engine's containers (none carry compose labels here): it leaves
    // a Swarm project's status to its deploys.
    await t.app.projectStatus.refresh(stack.id);
    expect((await api('GET', `/api/v1/projects/${stack.id}`)).json().status).toBe('running');
    const tasks = await running(stack.id);
    expect(
      tasks
        .filter((x) => x.service === 'warp-shop_web')
        .map((x) => x.node)
        .sort(),
    ).toEqual(hostnames());
    expect(tasks.filter((x) => x.service === 'warp-shop_worker')).toHaveLength(1);
    // The stack file lives in the data dir (0600: it holds the resolved environment), not in the folder.
    const stackPath = path.join(t.dataDir, 'compose', stack.id, 'stack.json');
    expect(fs.statSync(stackPath).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(dir, '.warp'))).toBe(false);
    const stackFile = JSON.parse(fs.readFileSync(stackPath, 'utf8'));
    expect(stackFile.services.worker.environment).toEqual({ GREETING: 'hello' });
    const releases = (await api('GET', `/api/v1/projects/${stack.id}/releases`)).json().items;
    expect(releases).toMatchObject([
      {
        seq: 1,
        live: true,
        strategy: 'rolling',
        composeProject: 'warp-shop',
        images: [
          { service: 'web', image: WHOAMI_IMAGE },
          { service: 'worker', image: TEST_IMAGE },
        ],
      },
    ]);
    expect(fs.readFileSync(configFile, 'utf8')).toContain('service: http://warp-shop_web:80');
    const answers = await askEveryConnector('shop.example.test', 12);
    expect(
      answers.every((a) => a.status === 200),
      JSON.stringify(answers),
    ).toBe(true);
    expect(new Set(answers.map((a) => a.body)).size).toBe(2);
    // The quick service is still published next to it.
    expect((await askEveryConnector('who.example.test', 2)).every((a) => a.status === 200)).toBe(true);
  });

  let rolled: { id: string; hostname: string };

  it('publishing another app rolls cloudflared to a new config, start-first, dropping no request', async () => {
    const configOf = async () =>
      (
        (await bed.manager.docker.getService(cloudflared).inspect()) as {
          Spec: { TaskTemplate: { ContainerSpec: { Configs: { ConfigName: string }[] } } };
        }
      ).Spec.TaskTemplate.ContainerSpec.Configs[0]!.ConfigName;
    const before = {
      config: await configOf(),
      tasks: new Set((await runningTasks(bed, cloudflared)).map((x) => x.id)),
    };
    const edge = runEdge(bed, {
      node: bed.workers[0]!,
      image: connectorImage,
      network: 'warp-public',
      service: cloudflared,
      host: 'who.example.test',
      seconds: 25,
    });
    const res = await api('POST', '/api/v1/projects/quick-service', {
      image: WHOAMI_IMAGE,
      subdomain: 'rolled',
      name: 'rolled',
      target: 'swarm',
    });
    rolled = await deployed(res);
    expect(await jobLog(t, auth, res.json().job.id)).toMatch(/restarting the tunnel: roll Swarm service/);
    const run = await edge;
    const after = {
      config: await configOf(),
      tasks: (await runningTasks(bed, cloudflared)).map((x) => x.id),
    };
    expect(after.config).not.toBe(before.config);
    expect(after.tasks.filter((id) => before.tasks.has(id))).toEqual([]);
    expect(run.failed, JSON.stringify(run)).toBe(0);
    expect(run.ok).toBe(run.requests);
    expect(run.requests).toBeGreaterThan(50);
    // Old config versions go once no task uses them.
    const configs = (await bed.manager.docker.listConfigs({
      filters: { label: ['warp.kind=cloudflared-config'] },
    })) as {
      Spec: { Name: string };
    }[];
    expect(configs.map((c) => c.Spec.Name)).toEqual([after.config]);
    process.stdout.write(`swarm: cloudflared rolled under load: ${JSON.stringify(run)}\n`);
  });

  it('drains the worker: its tasks move to the manager and the apps keep answering', async () => {
    const worker = bed.workers[0]!;
    const res = await api('POST', `/api/v1/nodes/${worker.nodeId}/drain`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ hostname: worker.hostname, availability: 'drain' });
    await eventually('the quick service running on the manager only', async () => {
      const tasks = await running(quick.id);
      return tasks.length === 2 && tasks.every((x) => x.node === bed.manager.hostname);
    });
    await eventually('the connectors running on the manager only', async () => {
      const c = await runningTasks(bed, cloudflared);
      return c.length === 2 && c.every((x) => x.node === bed.manager);
    });
    for (const host of ['who.example.test', 'shop.example.test']) {
      const answers = await askEveryConnector(host, 6);
      expect(
        answers.every((a) => a.status === 200),
        `${host}: ${JSON.stringify(answers)}`,
      ).toBe(true);
    }
    const back = await api('POST', `/api/v1/nodes/${worker.nodeId}/activate`);
    expect(back.json()).toMatchObject({ availability: 'active' });
    const audit = (await api('GET', '/api/v1/audit?action=node.drain')).json().items;
    expect(audit[0]).toMatchObject({ target: worker.hostname, result: 'ok' });
  });

  it('redeploys the quick service as a rolling update: every task replaced, start-first, still answering', async () => {
    const before = new Set((await runningTasks(bed, 'whoami')).map((x) => x.id));
    const res = await api('POST', `/api/v1/projects/${quick.id}/redeploy`);
    expect(res.statusCode, res.body).toBe(202);
    const done = await waitForJob(t, auth, res.json().job.id, 240_000);
    const log = await jobLog(t, auth, res.json().job.id);
    expect(done.status, log).toBe('succeeded');
    expect(log).toContain('Rolling update of whoami (start-first, one task at a time)');
    const after = await runningTasks(bed, 'whoami');
    expect(after).toHaveLength(2);
    expect(after.filter((x) => before.has(x.id))).toEqual([]);
    const service = (await bed.manager.docker.getService('whoami').inspect()) as {
      Spec: { UpdateConfig: { Order: string; Parallelism: number; FailureAction: string } };
      UpdateStatus: { State: string };
    };
    expect(service.Spec.UpdateConfig).toMatchObject({
      Order: 'start-first',
      Parallelism: 1,
      FailureAction: 'rollback',
    });
    expect(service.UpdateStatus.State).toBe('completed');
    expect((await askEveryConnector('who.example.test', 4)).every((a) => a.status === 200)).toBe(true);
  });

  it('rolls back to an earlier release: its spec again, as a rolling update', async () => {
    const envOf = async () =>
      (
        (await bed.manager.docker.getService('whoami').inspect()) as {
          Spec: { TaskTemplate: { ContainerSpec: { Env?: string[] } } };
        }
      ).Spec.TaskTemplate.ContainerSpec.Env ?? [];
    const patched = await api('PATCH', `/api/v1/projects/${quick.id}`, { env: { GREETING: 'v3' } });
    expect(patched.statusCode, patched.body).toBe(200);
    const redeploy = await api('POST', `/api/v1/projects/${quick.id}/redeploy`);
    const done = await waitForJob(t, auth, redeploy.json().job.id, 240_000);
    expect(done.status, await jobLog(t, auth, redeploy.json().job.id)).toBe('succeeded');
    expect(await envOf()).toEqual(['GREETING=v3']);
    const releases = (await api('GET', `/api/v1/projects/${quick.id}/releases`)).json().items as {
      id: string;
      seq: number;
      live: boolean;
      envKeys: string[];
    }[];
    expect(releases.map((r) => [r.seq, r.live])).toEqual([
      [3, true],
      [2, false],
      [1, false],
    ]);
    expect(releases[0]!.envKeys).toEqual(['GREETING']);
    const first = releases.find((r) => r.seq === 1)!;
    const res = await api('POST', `/api/v1/projects/${quick.id}/releases/${first.id}/rollback`);
    expect(res.statusCode, res.body).toBe(202);
    const rolled = await waitForJob(t, auth, res.json().job.id, 240_000);
    const log = await jobLog(t, auth, res.json().job.id);
    expect(rolled.status, log).toBe('succeeded');
    expect(log).toContain('Rolling update of whoami (start-first, one task at a time)');
    expect(await envOf()).toEqual([]);
    const after = (await api('GET', `/api/v1/projects/${quick.id}/releases`)).json().items as {
      seq: number;
      live: boolean;
    }[];
    expect(after.find((r) => r.live)?.seq).toBe(1);
    expect(await running(quick.id)).toHaveLength(2);
    expect((await askEveryConnector('who.example.test', 4)).every((a) => a.status === 200)).toBe(true);
  });

  it('tears a stack down: its services, networks and route go', async () => {
    const res = await api('DELETE', `/api/v1/projects/${stack.id}`);
    expect(res.statusCode, res.body).toBe(202);
    const done = await waitForJob(t, auth, res.json().job.id, 120_000);
    const log = await jobLog(t, auth, res.json().job.id);
    expect(done.status, log).toBe('succeeded');
    expect(log).toContain('removed network warp-shop_default');
    const services = (await bed.manager.docker.listServices()) as { Spec: { Name: string } }[];
    expect(services.map((x) => x.Spec.Name).sort()).toEqual(['rolled', 'whoami', cloudflared].sort());
    // Removed from the Swarm at once; each node drops its local copy a moment later.
    await eventually('the stack network gone from the manager', async () => {
      const networks = await bed.manager.docker.listNetworks({
        filters: { label: ['com.docker.stack.namespace=warp-shop'] },
      });
      return networks.length === 0;
    });
    expect(fs.readFileSync(configFile, 'utf8')).not.toContain('warp-shop_web');
    const answers = await askEveryConnector('shop.example.test', 1);
    expect(answers.every((a) => a.status === 404)).toBe(true);
  });

  let spread: { id: string; hostname: string };

  it('loses the worker machine: the manager reschedules its tasks and the app keeps answering', async () => {
    // A new service spreads over both nodes again (the drained worker is active once more).
    spread = await deployed(
      await api('POST', '/api/v1/projects/quick-service', {
        image: WHOAMI_IMAGE,
        subdomain: 'spread',
        name: 'spread',
        target: 'swarm',
        replicas: 2,
      }),
    );
    expect((await running(spread.id)).map((x) => x.node).sort()).toEqual(hostnames());
    const worker = bed.workers[0]!;
    const lost = (await running(spread.id)).find((x) => x.node === worker.hostname)!;
    expect(lost).toBeDefined();
    await bed.killNode(worker);
    await eventually('the worker marked down', async () => {
      const nodes = (await api('GET', '/api/v1/nodes')).json().items as { hostname: string; state: string }[];
      return nodes.find((n) => n.hostname === worker.hostname)?.state === 'down';
    });
    await eventually('the task of the lost node rescheduled onto the manager', async () => {
      const tasks = await running(spread.id);
      return tasks.length === 2 && tasks.every((x) => x.node === bed.manager.hostname);
    });
    const answers = await eventually('the app answering through the connectors left', async () => {
      const a = await askEveryConnector('spread.example.test', 6);
      return a.length > 0 && a.every((x) => x.status === 200) ? a : false;
    });
    expect(new Set(answers.map((a) => a.body)).size).toBe(2);
    const nodes = (await api('GET', '/api/v1/nodes')).json().items as { hostname: string; state: string }[];
    expect(nodes.find((n) => n.hostname === worker.hostname)?.state).toBe('down');
  });

  it('tears quick services down on a Swarm with a node lost: services and routes go', async () => {
    for (const p of [quick, spread, rolled, moved]) {
      const res = await api('DELETE', `/api/v1/projects/${p.id}`);
      expect(res.statusCode, res.body).toBe(202);
      const done = await waitForJob(t, auth, res.json().job.id, 120_000);
      expect(done.status, await jobLog(t, auth, res.json().job.id)).toBe('succeeded');
    }
    const services = (await bed.manager.docker.listServices()) as { Spec: { Name: string } }[];
    expect(services.map((x) => x.Spec.Name)).toEqual([cloudflared]);
    const text = fs.readFileSync(configFile, 'utf8');
    expect(text).not.toContain('http://whoami');
    expect(text).not.toContain('http://spread');
    expect(text).not.toContain('http://rolled');
    expect(text).not.toContain('http://moved');
    expect(text).toContain('nas.example.test');
  });
});
