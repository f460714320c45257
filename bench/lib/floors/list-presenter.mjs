// The floor for the container list: a bare Node server that asks the engine for its list, parses it,
// maps each summary to the API's Container view and answers the JSON — the work any panel must do,
// without a framework, sign-in, schemas or a Docker client library.
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true });
const view = (c) => {
  const labels = c.Labels ?? {};
  return {
    id: c.Id,
    name: (c.Names?.[0] ?? '').replace(/^\//, ''),
    image: c.Image,
    imageId: c.ImageID,
    state: c.State,
    status: c.Status,
    createdAt: new Date(c.Created * 1000).toISOString(),
    ports: (c.Ports ?? []).map((p) => ({
      hostIp: p.IP ?? null,
      hostPort: p.PublicPort ?? null,
      containerPort: p.PrivatePort,
      protocol: p.Type,
    })),
    projectId: labels['warp.project'] ?? null,
    composeProject: labels['com.docker.compose.project'] ?? null,
    managed: labels['warp.managed'] === 'true',
  };
};
http
  .createServer((_req, res) => {
    http.get({ socketPath: process.env.FLOOR_SOCKET, path: '/containers/json?all=1', agent }, (engine) => {
      const chunks = [];
      engine.on('data', (c) => chunks.push(c));
      engine.on('end', () => {
        const body = JSON.stringify({ items: JSON.parse(Buffer.concat(chunks).toString('utf8')).map(view) });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
  })
  .listen(Number(process.env.WARP_PORT), '127.0.0.1');
