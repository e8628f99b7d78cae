// Connection limits for the HTTP server. Node's defaults let one client hold a socket for minutes
// (no socket idle timeout, requests checked every 30 s); a feed server answers small GETs, so:
// - headers: 10 s to send the request head (a slow-headers client is cut off);
// - request: 30 s for the whole request (no route takes a body, so this is the head plus slack);
// - keepAlive: 5 s idle between requests on a kept-alive connection (readers poll minutes apart);
// - idle: 60 s without a byte either way on a socket (a reader downloading a large feed slowly still
//   moves bytes);
// - maxConnections: sockets beyond it are closed at once, so file descriptors and memory stay bounded.
import { createServer, type RequestListener, type Server } from 'node:http';

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
  server.maxConnections = limits.maxConnections;
  server.setTimeout(timeouts.idle, (socket) => socket.destroy());
  return server;
}
