import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileRegistry, fromBinary, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const bufBin = join(repoRoot, 'packages/contracts/node_modules/.bin/buf');

/** Compiles proto/ with buf into descriptors: what the .proto files really declare. */
export function loadProtoRegistry(): FileRegistry {
  const scratch = mkdtempSync(join(tmpdir(), 'kindred-proto-image-'));
  try {
    const image = join(scratch, 'image.binpb');
    const result = spawnSync(bufBin, ['build', 'proto', '-o', image], { cwd: repoRoot, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`buf build failed: ${result.stderr}`);
    return createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(image)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
