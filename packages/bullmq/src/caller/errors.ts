import { ParapoolError } from '@parapool/core';

/** No `parapool-worker` host served the queue for `hostTimeout` ms while work waited. */
export class NoHostsError extends ParapoolError {
  /** Always `'NoHostsError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'NoHostsError';
}

/** Redis could not be reached for `redisTimeout` ms while work waited. */
export class RedisUnavailableError extends ParapoolError {
  /** Always `'RedisUnavailableError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'RedisUnavailableError';
}
