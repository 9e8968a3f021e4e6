import Redis from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { redisSkipReason, startRedis, type RedisHandle } from '../helpers/redis'
import { resolveConfig } from '../../src/runtime/server/sse/config'
import { RedisBroker } from '../../src/runtime/server/sse/redis-broker'
import { registerRedisBroker, SSERuntime } from '../../src/runtime/server/sse/runtime'
import { startInstance, type Instance } from './helpers/instance'
import { json, openRaw, type RawStream } from './helpers/sse-client'

/**
 * An app whose Socket.IO Redis adapter got its clients from the app's own factory (host, port, db
 * and password from its runtimeConfig, no URL): the broker connects through that client, so the app
 * needs no new Redis setting, and several instances share events.
 */
const skip = redisSkipReason()
let redis: RedisHandle
let appClient: Redis
const instances: Instance[] = []
const streams: RawStream[] = []

describe.skipIf(skip)('Redis broker on the app\'s own Redis client', () => {
  beforeAll(async () => {
    redis = await startRedis()
    appClient = new Redis({ host: '127.0.0.1', port: redis.port, db: 3, lazyConnect: true })
    registerRedisBroker((config, sink) => new RedisBroker(config, sink, config.redisUrl ? undefined : (options) => appClient.duplicate(options)), { appRedis: true })
  })
  afterAll(async () => {
    appClient?.disconnect()
    await redis?.stop()
  })
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close()
    for (const i of instances.splice(0)) await i.close()
  })

  it('shares events between instances given no Redis URL, in the app\'s database', async () => {
    const config = { redisUrl: '', redisPrefix: 'app', heartbeatMs: 0 }
    const a = await startInstance(config)
    const b = await startInstance(config)
    instances.push(a, b)
    expect(a.runtime.broker.kind).toBe('redis')
    const stream = await openRaw(`${b.url}/api/chat/events`, { authorization: 'Bearer token-2' })
    streams.push(stream)
    expect(stream.status).toBe(200)
    await stream.next((f) => f.event === 'connected')
    await a.runtime.emit('hello', { n: 1 }, { kind: 'channels', channels: ['user:2'], except: [] })
    expect(json<{ n: number }>(await stream.next((f) => f.event === 'hello'))).toEqual({ n: 1 })
    expect(await appClient.exists('app:log')).toBe(1)
    const otherDb = new Redis({ host: '127.0.0.1', port: redis.port, db: 0 })
    try {
      expect(await otherDb.exists('app:log')).toBe(0)
    } finally {
      otherDb.disconnect()
    }
  })

  it('refuses to start without a ticket secret, which every instance must share', () => {
    expect(() => new SSERuntime({ ...resolveConfig({}), redisUrl: '', ticketSecret: '' })).toThrow(/must share one ticket secret/)
  })
})
