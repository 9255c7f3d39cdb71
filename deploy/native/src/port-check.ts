import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { InfraError } from './infra-error.js';
import type { PortSetting } from './infra-config.js';
import { readCmdline } from './process-control.js';

export interface PortHolder {
  readonly pid: number;
  readonly command: string;
}

/** Resolves true when nothing listens on 127.0.0.1:<port> (we could bind it ourselves). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolvePromise(false);
      else reject(error);
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => resolvePromise(true));
    });
  });
}

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // Field 3 is the socket state; 0A is LISTEN. Field 9 is the inode.
      if (local?.endsWith(`:${hexPort}`) === true && fields[3] === '0A' && fields[9] !== undefined) {
        inodes.add(fields[9]);
      }
    }
  }
  return inodes;
}

/** Which process listens on the port, found through /proc (null when another user's process hides it). */
export function findPortHolder(port: number): PortHolder | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      if (wanted.has(target)) {
        const pid = Number(entry);
        return { pid, command: readCmdline(pid)?.join(' ') ?? '?' };
      }
    }
  }
  return null;
}

/** Throws INFRA.PORT_TAKEN naming the port, the variable that moves it and, when known, the holder. */
export async function assertPortFree(setting: PortSetting, server: string): Promise<void> {
  if (await isPortFree(setting.port)) return;
  const holder = findPortHolder(setting.port);
  const heldBy = holder === null ? 'another process' : `pid ${holder.pid} (${truncate(holder.command, 120)})`;
  throw new InfraError(
    'INFRA.PORT_TAKEN',
    `${server}: port ${setting.port} on 127.0.0.1 is already taken by ${heldBy}. ` +
      `Stop that process or choose another port with ${setting.envVar}=<port>.`,
  );
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
