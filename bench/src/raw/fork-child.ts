/**
 * The child of the bare fork pool (raw-libraries.ts, `fork (raw)`): no pool
 * library, no parapool. Each message `{ id, name, arg }` calls one function of
 * work.ts (or its `…Chunk` form) and answers `{ id, value }` or `{ id, error }`.
 */
import { rawWorkerFunctions } from '../work.js';

const functions: Record<string, (arg: never) => unknown> = rawWorkerFunctions;

process.on('message', async (message: { id: number; name: string; arg: never }) => {
  try {
    const fn = functions[message.name];
    if (!fn) throw new Error(`no function ${message.name}`);
    const value = await fn(message.arg);
    process.send?.({ id: message.id, value });
  } catch (error) {
    process.send?.({
      id: message.id,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
});
