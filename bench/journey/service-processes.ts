// The four services as child processes, the way `./kindred up` runs them (node --import tsx src/main.ts), with
// their logs in files, a /proc memory sampler, and a stop that always SIGTERMs them.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ServiceName = 'intake' | 'matching' | 'notifier' | 'console';

export interface ServiceSpec {
  readonly name: ServiceName;
  readonly url: string;
}

export interface MemoryReading {
  /** Highest VmRSS seen by the sampler, and the kernel's high-water mark (VmHWM) at the last reading, in MiB. */
  readonly peakRssMiB: number;
  readonly hwmMiB: number;
  /** VmRSS once started and seeded, before the load. */
  readonly idleRssMiB: number;
  /** CPU time (user + system) the process used from the start of the load to the last reading. */
  readonly cpuSeconds: number;
}

/** User + system CPU time of a live process in seconds (clock ticks are 100 Hz on Linux), or undefined when gone. */
export function readProcCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** VmRSS and VmHWM of a live process in MiB, or undefined when it is gone. */
export function readProcMemory(pid: number): { rssMiB: number; hwmMiB: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
}

export class ServiceProcesses {
  private readonly children = new Map<ServiceName, ChildProcess>();
  private readonly peaks = new Map<ServiceName, { peak: number; hwm: number; idle: number; cpuAtStart: number; cpu: number }>();
  private sampler: NodeJS.Timeout | undefined;

  constructor(
    private readonly root: string,
    private readonly logDir: string,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  async start(service: ServiceSpec, say: (line: string) => void): Promise<void> {
    const log = openSync(join(this.logDir, `${service.name}.log`), 'w');
    const child = spawn(process.execPath, ['--import', 'tsx', join(this.root, 'services', service.name, 'src', 'main.ts')], {
      cwd: this.root,
      env: { ...this.env },
      stdio: ['ignore', log, log],
    });
    this.children.set(service.name, child);
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${service.name} exited (${child.exitCode ?? child.signalCode}) while starting; see ${join(this.logDir, `${service.name}.log`)}`);
      }
      try {
        if ((await fetch(`${service.url}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${service.name} did not answer /healthz within 90 s; see ${join(this.logDir, `${service.name}.log`)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    say(`${service.name} is up (pid ${child.pid ?? '?'})`);
  }

  pids(): Record<string, number> {
    return Object.fromEntries([...this.children].flatMap(([name, child]) => (child.pid === undefined ? [] : [[name, child.pid]])));
  }

  /** Any service that died: the figures of a run with a dead service mean nothing. */
  deadServices(): string[] {
    return [...this.children].filter(([, child]) => child.exitCode !== null || child.signalCode !== null).map(([name, child]) => `${name} (${child.exitCode ?? child.signalCode})`);
  }

  /** Starts sampling memory once a second; the current RSS is each service's idle figure. */
  startSampling(): void {
    for (const [name, child] of this.children) {
      const now = child.pid === undefined ? undefined : readProcMemory(child.pid);
      const cpu = child.pid === undefined ? undefined : readProcCpuSeconds(child.pid);
      if (now && cpu !== undefined) this.peaks.set(name, { peak: now.rssMiB, hwm: now.hwmMiB, idle: now.rssMiB, cpuAtStart: cpu, cpu });
    }
    this.sampler = setInterval(() => this.sample(), 1000);
    this.sampler.unref();
  }

  private sample(): void {
    for (const [name, child] of this.children) {
      const now = child.pid === undefined ? undefined : readProcMemory(child.pid);
      const cpu = child.pid === undefined ? undefined : readProcCpuSeconds(child.pid);
      const seen = this.peaks.get(name);
      if (now && seen) this.peaks.set(name, { ...seen, peak: Math.max(seen.peak, now.rssMiB), hwm: Math.max(seen.hwm, now.hwmMiB), cpu: cpu ?? seen.cpu });
    }
  }

  memory(): Record<string, MemoryReading> {
    this.sample();
    return Object.fromEntries([...this.peaks].map(([name, m]) => [name, { peakRssMiB: m.peak, hwmMiB: m.hwm, idleRssMiB: m.idle, cpuSeconds: m.cpu - m.cpuAtStart }]));
  }

  /** SIGTERM to every service, then wait for each graceful shutdown (SIGKILL after 30 s). */
  async stopAll(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    await Promise.all(
      [...this.children.values()]
        .filter((child) => child.exitCode === null && child.signalCode === null)
        .map(
          (child) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => {
                child.kill('SIGKILL');
                resolve();
              }, 30_000);
              child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              child.kill('SIGTERM');
            }),
        ),
    );
  }
}

/** RSS of an idle Node process that loaded tsx, as the services do: what any of them weighs before its own code. */
export async function idleNodeRss(root: string): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', 'setInterval(() => {}, 1000)'], { cwd: root, stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const reading = child.pid === undefined ? undefined : readProcMemory(child.pid);
    if (!reading) throw new Error('the idle Node process exited before it could be measured');
    return reading.rssMiB;
  } finally {
    child.kill('SIGTERM');
  }
}
