// Connection limits for the HTTP server. Node's defaults let one client hold a socket for minutes
// (no socket idle timeout, requests checked every 30 s); a feed server answers small GETs, so:
// - headers: 10 s to send the request head (a slow-headers client is cut off);
// - request: 30 s for the whole request (no route takes a body, so this is the head plus slack);
// - keepAlive: 5 s idle between requests on a kept-alive connection (readers poll minutes apart);
// - idle: 60 s without a byte either way on a socket (a reader downloading a large feed slowly still
//   moves bytes);
// - maxConnections: file descriptors and memory stay bounded. At the limit a new socket takes the place of
//   the connection idle longest (no request in flight), so one client opening maxConnections empty sockets
//   cannot lock every reader out until the headers timeout; only when every connection has a request in
//   flight is the new socket closed.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  maxConnections: number;
  timeouts: { headers: number; request: number; keepAlive: number; idle: number };
}

/** A server applying the limits; timeouts are checked every second (Node's default is every 30 s). */
export function createLimitedServer(listener: RequestListener, limits: ConnectionLimits): Server {
  const { timeouts } = limits;
  const server = createServer(
    {
      headersTimeout: timeouts.headers,
      requestTimeout: timeouts.request,
      keepAliveTimeout: timeouts.keepAlive,
      connectionsCheckingInterval: Math.min(1_000, timeouts.headers),
    },
    listener,
  );
  server.setTimeout(timeouts.idle, (socket) => socket.destroy());
  keepConnectionsWithin(server, limits.maxConnections);
  return server;
}

/**
 * Closes the connection idle longest when a new one would pass `max`. Idle: connected without a request in
 * flight (never sent a whole head, or kept alive between requests); kept in a Map in the order they went idle.
 */
function keepConnectionsWithin(server: Server, max: number): void {
  const idleSince = new Map<Socket, true>();
  let open = 0;
  server.on('connection', (socket: Socket) => {
    open += 1;
    idleSince.set(socket, true);
    socket.once('close', () => {
      open -= 1;
      idleSince.delete(socket);
    });
    if (open <= max) return;
    const oldestIdle = idleSince.keys().next().value as Socket;
    idleSince.delete(oldestIdle);
    oldestIdle.destroy();
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    idleSince.delete(socket);
    res.once('close', () => {
      if (!socket.destroyed) idleSince.set(socket, true);
    });
  });
}
