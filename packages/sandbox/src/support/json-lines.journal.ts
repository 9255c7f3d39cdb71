import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * An append-only JSON-lines file, so captured mail and SMS survive a restart of the sandbox.
 * Writes are synchronous: volumes are tiny and a record must be on disk before the sender is answered.
 */
export interface Journal<T> {
  append(record: T): void;
  /** Every record in the file, oldest first. */
  readAll(): T[];
  clear(): void;
}

export function jsonLinesJournal<T>(file: string): Journal<T> {
  mkdirSync(dirname(file), { recursive: true });
  return {
    append(record) {
      appendFileSync(file, `${JSON.stringify(record)}\n`, 'utf8');
    },
    readAll() {
      if (!existsSync(file)) return [];
      const lines = readFileSync(file, 'utf8').split('\n');
      const records: T[] = [];
      lines.forEach((line, index) => {
        if (line.trim() === '') return;
        try {
          records.push(JSON.parse(line) as T);
        } catch (error) {
          // A crash mid-write can leave a torn last line; anything earlier is real corruption.
          const isLastLine = lines.slice(index + 1).every((rest) => rest.trim() === '');
          if (!isLastLine) throw new Error(`${file}:${index + 1} is not valid JSON`, { cause: error });
        }
      });
      return records;
    },
    clear() {
      writeFileSync(file, '', 'utf8');
    },
  };
}

/** Stands in for a journal when no data directory is configured. */
export function noJournal<T>(): Journal<T> {
  return { append() {}, readAll: () => [], clear() {} };
}
