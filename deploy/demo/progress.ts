/**
 * Progress of a long step: on a terminal one line that updates in place; elsewhere (CI, a pipe, a log file) a line
 * now and then, so the output stays readable and still shows the step is moving.
 */
export interface Progress {
  update(done: number): void;
  finish(text?: string): void;
}

export interface ProgressOptions {
  readonly label: (done: number, total: number) => string;
  readonly total: number;
  readonly write: (text: string) => void;
  readonly tty: boolean;
  /** Without a terminal: at most one line per interval (and always the last). */
  readonly intervalMs?: number;
}

export function createProgress(options: ProgressOptions): Progress {
  const { label, total, write, tty } = options;
  const intervalMs = options.intervalMs ?? 3_000;
  let lastLineAt = 0;
  let lastDone = -1;
  return {
    update(done) {
      if (done === lastDone) return;
      lastDone = done;
      const now = Date.now();
      if (tty) {
        // Redrawn at most ten times a second: enough to look alive, little enough for a slow terminal.
        if (now - lastLineAt >= 100) {
          lastLineAt = now;
          write(`\r\x1b[2K[kindred] ${label(done, total)}`);
        }
        return;
      }
      if (now - lastLineAt >= intervalMs && done < total) {
        lastLineAt = now;
        write(`[kindred] ${label(done, total)}\n`);
      }
    },
    finish(text) {
      const line = text ?? label(lastDone < 0 ? 0 : lastDone, total);
      write(tty ? `\r\x1b[2K[kindred] ${line}\n` : `[kindred] ${line}\n`);
    },
  };
}
