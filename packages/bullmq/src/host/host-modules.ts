/**
 * The host's side of naming tasks: a path under `--root` and a hash become a
 * file URL, or a clear refusal sent back to the caller (outside the root,
 * missing, another version, inline without `--allow-inline`).
 */
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TaskResolutionError } from '@parapool/core';
import type { TaskRef } from '@parapool/core/adapter';
import { hashFile } from '../shared/module-files.js';
import type { RemoteTask } from '../shared/wire.js';

/** Finds remote task modules under one root, hashing each file once per change. */
export class HostModules {
  readonly root: string;
  readonly #allowInline: boolean;
  readonly #label: string;
  readonly #hashes = new Map<string, { mtimeMs: number; size: number; hash: string }>();

  constructor(root: string, allowInline: boolean, label: string) {
    this.root = realpathSync(root);
    this.#allowInline = allowInline;
    this.#label = label;
  }

  /** The local ref for `task`; throws a TaskResolutionError that the caller receives. */
  resolve(task: RemoteTask): TaskRef {
    if (task.kind === 'inline') {
      if (this.#allowInline) return task;
      throw new TaskResolutionError(
        `parapool-worker on ${this.#label} refuses inline functions: anyone who can write to this Redis could otherwise run code on every host. Put the function in a task module (defineTasks), or start parapool-worker with --allow-inline on a network you trust.`,
      );
    }
    const where = `on ${this.#label} (root ${this.root})`;
    if (typeof task.path !== 'string' || isAbsolute(task.path) || task.path.split('/').includes('..')) {
      throw new TaskResolutionError(`Task module path ${String(task.path)} is not inside the root ${where}: refused.`);
    }
    let file: string;
    try {
      file = realpathSync(join(this.root, task.path));
    } catch {
      throw new TaskResolutionError(
        `Task module ${task.path} was not found ${where}: deploy the same code on every host, under the folder given as --root.`,
      );
    }
    const inside = relative(this.root, file);
    if (inside.startsWith('..') || isAbsolute(inside)) {
      throw new TaskResolutionError(
        `Task module ${task.path} resolves to ${file}, outside the root ${where}: refused.`,
      );
    }
    const hash = this.#hash(file);
    if (hash !== task.hash) {
      throw new TaskResolutionError(
        `Task module ${task.path} differs ${where} from the caller's: its sha256 here is ${hash.slice(0, 12)}…, the caller's ${task.hash.slice(0, 12)}…. Deploy the same version of the code on every host (and restart callers that run an older one).`,
      );
    }
    return { kind: 'module', module: pathToFileURL(file).href, name: task.name };
  }

  #hash(file: string): string {
    const { mtimeMs, size } = statSync(file);
    const known = this.#hashes.get(file);
    if (known && known.mtimeMs === mtimeMs && known.size === size) return known.hash;
    const hash = hashFile(file);
    this.#hashes.set(file, { mtimeMs, size, hash });
    return hash;
  }
}
