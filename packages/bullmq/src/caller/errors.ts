import { ParapoolError } from '@parapool/core';

/** No `parapool-worker` host served the queue for `hostTimeout` ms while work waited. */
export class NoHostsError extends ParapoolError {
  override name = 'NoHostsError';
}

/** Redis could not be reached for `redisTimeout` ms while work waited. */
export class RedisUnavailableError extends ParapoolError {
  override name = 'RedisUnavailableError';
}
