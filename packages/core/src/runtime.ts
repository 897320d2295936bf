/** The JavaScript runtime this code runs on, as parapool tells them apart. */
export interface RuntimeInfo {
  /** `'node'`, `'bun'` or `'deno'`. */
  readonly name: 'node' | 'bun' | 'deno';
  /** The runtime's own version: `'1.4.5'` for Bun 1.4.5 (not the Node version it emulates). */
  readonly version: string;
  /** For messages: `'Bun 1.4.5'`. */
  readonly label: string;
}

/** Which runtime runs this process: Bun and Deno both report a Node version too, so they are asked first. */
export function currentRuntime(): RuntimeInfo {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.bun !== undefined) return { name: 'bun', version: versions.bun, label: `Bun ${versions.bun}` };
  if (versions.deno !== undefined) return { name: 'deno', version: versions.deno, label: `Deno ${versions.deno}` };
  return { name: 'node', version: process.versions.node, label: `Node ${process.versions.node}` };
}
