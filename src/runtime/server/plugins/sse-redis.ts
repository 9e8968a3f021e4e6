import { RedisBroker } from '../sse/redis-broker'
import { registerRedisBroker } from '../sse/runtime'

/**
 * Installed only in apps that used Socket.IO's Redis adapter: makes the Redis broker available, so
 * apps without ioredis never import it. It is used when `NUXT_SSE_REDIS_URL` (runtimeConfig.sse.redisUrl) is set.
 */
export default defineNitroPlugin(() => {
  registerRedisBroker((config, sink) => new RedisBroker(config, sink))
})
