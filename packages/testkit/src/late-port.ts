import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A local port where a server is down at first (connections are refused) and comes back when `forwardTo` starts
 * relaying it to a real server. For tests of a service started before its dependency. Another process could take
 * the port between the probe and `forwardTo`; on a test machine that has not been seen.
 */
export interface LatePort {
  readonly port: number;
  /** From now on, connections to `port` reach `target` ("host:port"). */
  forwardTo(target: string): Promise<void>;
  close(): Promise<void>;
}

export async function latePort(): Promise<LatePort> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  let forwarder: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    port,
    async forwardTo(target) {
      const at = target.lastIndexOf(':');
      const host = target.slice(0, at);
      const targetPort = Number(target.slice(at + 1));
      forwarder = createServer((client) => {
        const upstream = connect(targetPort, host);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('error', () => socket.destroy());
          socket.on('close', () => sockets.delete(socket));
        }
        client.pipe(upstream).pipe(client);
      });
      forwarder.listen(port, '127.0.0.1');
      await once(forwarder, 'listening');
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      const server = forwarder;
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
