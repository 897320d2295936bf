/**
 * The caller's side of naming tasks across machines: a task module's file URL
 * becomes its path under the pool's root plus a hash of its content, so hosts
 * find it wherever the code is checked out and refuse a different version.
 */
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TaskResolutionError } from '@parapool/core';
import type { TaskRef } from '@parapool/core/adapter';
import { hashFile } from '../shared/module-files.js';
import type { RemoteTask } from '../shared/wire.js';

/**
 * Turns the caller's task refs into wire names. Hashes are taken once per
 * module: a module a process has loaded does not change under it.
 */
export class TaskNamer {
  readonly root: string;
  readonly #cache = new Map<string, { path: string; hash: string }>();

  constructor(root: string) {
    if (!existsSync(root)) {
      throw new TypeError(
        `root ${root} does not exist: pass the folder your task modules live under (the same folder of the same code on every host)`,
      );
    }
    this.root = realpathSync(root);
  }

  /** The wire form of `ref`; throws a TaskResolutionError for a module hosts could not find. */
  name(ref: TaskRef): RemoteTask {
    if (ref.kind === 'inline') return ref;
    return { kind: 'module', ...this.#locate(ref.module), name: ref.name };
  }

  #locate(moduleUrl: string): { path: string; hash: string } {
    let found = this.#cache.get(moduleUrl);
    if (found) return found;
    if (!moduleUrl.startsWith('file:')) {
      throw new TaskResolutionError(
        `Task module ${moduleUrl} is not a file: remote hosts load task modules by their path under root. Define tasks in a file (defineTasks(import.meta.url, ...)).`,
      );
    }
    const file = realpathSync(fileURLToPath(moduleUrl));
    const path = relative(this.root, file);
    if (path === '' || path.startsWith('..') || isAbsolute(path)) {
      throw new TaskResolutionError(
        `Task module ${file} is outside the pool's root ${this.root}: hosts find modules by their path under root. Pass createPool({ root }) a folder that holds it (the same folder of the same code on every host).`,
      );
    }
    found = { path: path.split(sep).join('/'), hash: hashFile(file) };
    this.#cache.set(moduleUrl, found);
    return found;
  }
}
