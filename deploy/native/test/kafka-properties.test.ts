import { describe, expect, it } from 'vitest';
import { newClusterId, renderServerProperties } from '#src/kafka.server.js';
import { renderRedisConf } from '#src/redis.server.js';

function parseProperties(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)] as const;
    });
  return new Map(entries);
}

describe('server.properties for the single-node KRaft broker', () => {
  const properties = parseProperties(renderServerProperties({ port: 19092, controllerPort: 19093, dataDir: '/state/kafka/data' }));

  it('runs broker and controller in one process with a static voter on the controller port', () => {
    expect(properties.get('process.roles')).toBe('broker,controller');
    expect(properties.get('node.id')).toBe('1');
    expect(properties.get('controller.quorum.voters')).toBe('1@127.0.0.1:19093');
    expect(properties.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(properties.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(properties.get('controller.listener.names')).toBe('CONTROLLER');
    expect(properties.get('log.dirs')).toBe('/state/kafka/data');
  });

  it('replicates internal topics once, so one broker is enough', () => {
    for (const key of [
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'transaction.state.log.min.isr',
      'share.coordinator.state.topic.replication.factor',
      'share.coordinator.state.topic.min.isr',
      'default.replication.factor',
      'min.insync.replicas',
    ]) {
      expect(properties.get(key), key).toBe('1');
    }
  });

  it('lets test consumer groups join at once and topics appear on first use', () => {
    expect(properties.get('group.initial.rebalance.delay.ms')).toBe('0');
    expect(properties.get('auto.create.topics.enable')).toBe('true');
    expect(properties.get('num.partitions')).toBe('3');
  });

  it('has no key twice', () => {
    const text = renderServerProperties({ port: 1, controllerPort: 2, dataDir: '/d' });
    const keys = text.split('\n').filter((line) => line.includes('=') && !line.startsWith('#')).map((line) => line.split('=')[0]);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('redis.conf for BullMQ', () => {
  it('keeps jobs: AOF on, no eviction, in the foreground so that we hold the pid', () => {
    const lines = renderRedisConf({ port: 16379, dir: '/state/redis' }).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining(['port 16379', 'bind 127.0.0.1', 'appendonly yes', 'maxmemory-policy noeviction', 'daemonize no', 'dir /state/redis']),
    );
  });
});

describe('a new KRaft cluster id', () => {
  it('never starts with "-", which the storage tool would read as an option', () => {
    // 0xf8… encodes to "-" first in base64url; the second draw does not.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
    const id = newClusterId(() => draws.shift() ?? Buffer.alloc(16, 0x02));
    expect(id).toBe(Buffer.alloc(16, 0x01).toString('base64url'));
    expect(Buffer.alloc(16, 0xf8).toString('base64url').startsWith('-')).toBe(true);
    expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
