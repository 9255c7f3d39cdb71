import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/**
 * A port base for the four services whose six ports (HTTP +0…+3, gRPC +11, +12) are free now, chosen at random among
 * `blocks` blocks of 20 from `first`. Callers keep their ranges apart, below 32768 (where Linux hands out ephemeral
 * ports to everyone else's connections) and clear of the native servers' ports.
 */
export async function freeServicePortBase(first: number, blocks: number, what: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = first + randomInt(0, blocks) * 20;
    if ((await Promise.all([0, 1, 2, 3, 11, 12].map((offset) => portFree(base + offset)))).every(Boolean)) return base;
  }
  throw new Error(`no free block of ports for ${what}`);
}

/** True when the service at `url` answers its liveness probe. */
export async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`)).ok;
  } catch {
    return false;
  }
}
