// A TCP port free on 127.0.0.1 right now, for a server that must be told its port before it starts
// (a PostgreSQL cluster, a service whose config names its port).
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
