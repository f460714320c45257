import net from 'node:net';

/** Whether a TCP listener can bind `host:port` right now (closed again at once). */
export function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * The deploy.sh bind test: a port is free only if both 127.0.0.1 and 0.0.0.0 can be bound
 * (a listener on either address would clash with a container publishing there).
 */
export async function bindTestPasses(port: number): Promise<boolean> {
  return (await canBind(port, '127.0.0.1')) && (await canBind(port, '0.0.0.0'));
}
