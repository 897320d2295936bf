import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes numbers as little-endian float64 for the Python reference; returns the path. */
export async function writeFloat64(dir: string, name: string, values: ArrayLike<number>): Promise<string> {
  const path = join(dir, `${name}.f64`);
  const bytes = values instanceof Float64Array ? values : Float64Array.from(values);
  await writeFile(path, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return path;
}
