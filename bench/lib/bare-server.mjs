// The reference for start and memory figures: a bare Node HTTP server answering /healthz, nothing else.
import http from 'node:http';

http
  .createServer((_req, res) => res.end('{"status":"ok"}'))
  .listen(Number(process.env.WARP_PORT), process.env.WARP_HOST ?? '127.0.0.1');
