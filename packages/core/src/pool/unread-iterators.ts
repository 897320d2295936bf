/**
 * Never a silent end: what happens to an `imap` nobody reads when its pool is
 * disposed, or when `join()` waits for it and the program has nothing else to
 * do. Without this, `join()` waits for a reader that never comes, the event
 * loop empties and Node ends the program without a word (exit code 13 under a
 * top-level `await`, 0 from an `async function main()`), skipping everything
 * after the pool's scope.
 */
import type { ChunkedCall } from './chunked-call.js';

/** The reasons an unread `imap` is ended, as its error and the warning say them. */
export const UNREAD_REASON = {
  dispose: 'when its pool was disposed (the end of an `await using` scope)',
  emptyLoop: 'because pool.join() waited for it and the program had nothing else to do',
} as const;

/**
 * Ends every open call in `calls` that is read at its consumer's pace and was
 * left unread (an `imap` taken to its end is left alone), and warns once per
 * call on stderr (`PARAPOOL_UNREAD_ITERATOR`) saying what was dropped. Its
 * iterator's next `next()` rejects with a `PoolStateError` saying the same.
 */
export function endUnreadCalls(calls: Iterable<ChunkedCall>, reason: string): void {
  for (const call of [...calls]) {
    const dropped = call.endUnread(reason);
    if (dropped) process.emitWarning(dropped, { code: 'PARAPOOL_UNREAD_ITERATOR' });
  }
}

/** What to do, per waiting `join()`, once the event loop is empty. */
const onEmptyLoop = new Set<() => void>();

function emptied(): void {
  for (const end of [...onEmptyLoop]) end();
}

/**
 * While a `join()` waits for `calls`: if the event loop empties (Node's
 * `beforeExit`: no timer, no I/O, nothing left that could ever read them), the
 * unread ones are ended as above, so that `join()` settles and the program goes
 * on after it instead of ending silently. Returns the function that stops watching.
 */
export function endUnreadOnEmptyLoop(calls: Iterable<ChunkedCall>): () => void {
  const end = () => endUnreadCalls(calls, UNREAD_REASON.emptyLoop);
  if (onEmptyLoop.size === 0) process.on('beforeExit', emptied);
  onEmptyLoop.add(end);
  return () => {
    if (onEmptyLoop.delete(end) && onEmptyLoop.size === 0) process.off('beforeExit', emptied);
  };
}
