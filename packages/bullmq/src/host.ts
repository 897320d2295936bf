/**
 * `@parapool/bullmq/host`: a `parapool-worker` host run from code (what the CLI runs),
 * kept apart from the caller's entry so a caller never loads the host's code.
 *
 * @module @parapool/bullmq/host
 * @group User API
 */
export { Host, type HostOptions } from './host/host.js';
export { LOCAL_BACKENDS } from './host/local-backends.js';
export type { HostInfo } from './shared/announcements.js';
export type { Connection } from './shared/redis-client.js';
