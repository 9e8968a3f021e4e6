import { afterEach, describe, expect, it } from 'vitest'
import { clearConfigOverrides, defaultSSEConfig, envName, resolveConfig, setConfigOverrides } from '../../src/runtime/server/sse/config'

afterEach(() => clearConfigOverrides())

describe('SSE runtime config', () => {
  it('reads NUXT_SSE_* env vars, with configureSSE() options on top', () => {
    expect(envName('heartbeatMs')).toBe('NUXT_SSE_HEARTBEAT_MS')
    expect(envName('redisUrl')).toBe('NUXT_SSE_REDIS_URL')
    const env = { NUXT_SSE_HEARTBEAT_MS: '5000', NUXT_SSE_ALLOW_QUERY_TOKEN: 'true', NUXT_SSE_REDIS_URL: 'redis://127.0.0.1:6390', NUXT_SSE_TICKET_SECRET: 's' }
    expect(resolveConfig(env)).toMatchObject({ heartbeatMs: 5000, allowQueryToken: true, redisUrl: 'redis://127.0.0.1:6390', ticketSecret: 's', retryMs: defaultSSEConfig.retryMs })
    setConfigOverrides({ heartbeatMs: 1000, maxConnectionsPerUser: 3 })
    expect(resolveConfig(env)).toMatchObject({ heartbeatMs: 1000, maxConnectionsPerUser: 3, allowQueryToken: true })
    // Nuxt passes runtimeConfig values that env did not set as '' or undefined: they do not clear anything.
    setConfigOverrides({ redisUrl: '' })
    expect(resolveConfig(env).redisUrl).toBe('redis://127.0.0.1:6390')
  })

  it('defaults to one in-memory instance with a 15 s heartbeat and no query tokens', () => {
    expect(resolveConfig({})).toMatchObject({ heartbeatMs: 15_000, redisUrl: '', allowQueryToken: false })
  })

  it('rejects settings that are not numbers where numbers are needed', () => {
    expect(() => resolveConfig({ NUXT_SSE_HEARTBEAT_MS: 'soon' })).toThrow(/heartbeatMs/)
  })
})
