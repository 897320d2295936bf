#!/usr/bin/env node
/**
 * Empties the current package's dist/ before its build: tsc writes what the
 * sources make and leaves the rest, so a renamed or deleted source would leave
 * its old output behind, to be packed and imported. (Core's build.mjs does the
 * same for itself.)
 */
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
