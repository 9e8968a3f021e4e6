import { afterEach, describe, expect, it, vi } from 'vitest'
import { emitToUser } from '../../src/runtime/server/utils/sse'
import { closeSSE } from '../../src/runtime/server/utils/sse'
import { useSSERuntime } from '../../src/runtime/server/sse/runtime'
import { startTestServer, type TestServer } from './helpers/app'
import { json, openRaw, type RawStream } from './helpers/sse-client'

vi.mock('../../src/runtime/server/utils/sse-hooks', () => import('./helpers/hooks'))

let server: TestServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}

describe('connection lifecycle', () => {
  it('leaves no connections, timers or listeners behind after 5,000 connect/disconnect cycles', async () => {
    server = await startTestServer({ heartbeatMs: 50, sessionTtlMs: 200 })
    const runtime = useSSERuntime()
    // Let start-up timers (vitest's own) settle before taking the baseline.
    await new Promise((r) => setTimeout(r, 100))
    const baseline = resourceCounts()
    const serverListeners = () => server!.server.eventNames().map((name) => server!.server.listenerCount(name)).reduce((a, b) => a + b, 0)
    const listenersBefore = serverListeners()
    // The measure sees the heartbeat timer: one open stream adds exactly one Timeout.
    const probe = await openRaw(`${server.url}/api/chat/events`, { authorization: 'Bearer token-1' })
    await probe.next((f) => f.event === 'connected')
    expect(resourceCounts()['Timeout'] ?? 0).toBe((baseline['Timeout'] ?? 0) + 1)
    probe.close()
    await probe.ended
    let firstId: string | undefined
    const started = Date.now()
    const cycles = 5000
    const parallel = 25
    for (let batch = 0; batch < cycles / parallel; batch++) {
      await Promise.all(
        Array.from({ length: parallel }, async (_, i) => {
          const stream = await openRaw(`${server!.url}/api/chat/events`, { authorization: `Bearer token-${1 + (i % 4)}` })
          const connected = await stream.next((f) => f.event === 'connected')
          firstId ??= json<{ connectionId: string }>(connected).connectionId
          // Half leave mid-stream after an event, half right away.
          if (i % 2 === 0) {
            await emitToUser(1 + (i % 4), 'ping', { batch })
            await stream.next((f) => f.event === 'ping')
          }
          stream.close()
          await stream.ended
        }),
      )
    }
    const elapsed = Date.now() - started
    await vi.waitFor(() => expect(runtime.hub.connections.size).toBe(0), { timeout: 5000, interval: 20 })
    expect(runtime.hub.byChannel.size).toBe(0)
    expect(runtime.hub.byUser.size).toBe(0)
    // Sockets close asynchronously; the heartbeat timer stops with the last connection.
    await vi.waitFor(() => {
      const now = resourceCounts()
      expect(now['Timeout'] ?? 0).toBeLessThanOrEqual(baseline['Timeout'] ?? 0)
      expect(now['TCPSocketWrap'] ?? 0).toBeLessThanOrEqual(baseline['TCPSocketWrap'] ?? 0)
    }, { timeout: 5000, interval: 50 })
    expect(serverListeners()).toBe(listenersBefore)
    // Sessions kept for resumes expire.
    await new Promise((r) => setTimeout(r, 300))
    expect(await runtime.broker.loadSession(firstId!)).toBeUndefined()
    console.log(`5,000 cycles in ${elapsed} ms; resources after: ${JSON.stringify(resourceCounts())} (baseline ${JSON.stringify(baseline)})`)
  })

  it('registers nothing for a client that leaves while it is being authenticated', async () => {
    server = await startTestServer({ heartbeatMs: 50 })
    const pending = Array.from({ length: 20 }, () => openRaw(`${server!.url}/api/chat/events`, { authorization: 'Bearer token-1', 'x-auth-delay': '150' }))
    await new Promise((r) => setTimeout(r, 50))
    server.server.closeAllConnections()
    await Promise.allSettled(pending)
    await new Promise((r) => setTimeout(r, 300))
    expect(useSSERuntime().hub.connections.size).toBe(0)
    expect(useSSERuntime().hub.byUser.size).toBe(0)
  })

  it('answers 503 to a stream still authenticating when the runtime closes, and leaves nothing running', async () => {
    server = await startTestServer({ heartbeatMs: 50 })
    const runtime = useSSERuntime()
    const late = openRaw(`${server.url}/api/chat/events`, { authorization: 'Bearer token-1', 'x-auth-delay': '150' })
    await new Promise((r) => setTimeout(r, 50))
    await closeSSE()
    const stream = await late
    expect(stream.status).toBe(503)
    expect(stream.headers['retry-after']).toBe('1')
    expect(runtime.hub.connections.size).toBe(0)
    await new Promise((r) => setTimeout(r, 120))
    expect(runtime.hub.connections.size).toBe(0)
    // A stream opening on the closed runtime would have started its heartbeat again.
    expect((runtime.hub as unknown as { heartbeat?: unknown }).heartbeat).toBeUndefined()
  })

  it('closes every open stream promptly on shutdown', async () => {
    server = await startTestServer({ heartbeatMs: 60_000 })
    const streams: RawStream[] = []
    for (let i = 0; i < 30; i++) {
      const stream = await openRaw(`${server.url}/api/chat/events`, { authorization: `Bearer token-${1 + (i % 4)}` })
      await stream.next((f) => f.event === 'connected')
      streams.push(stream)
    }
    const started = Date.now()
    // What the Nitro plugin's close hook does, then the HTTP server's own close.
    await closeSSE()
    await new Promise<void>((resolve) => server!.server.close(() => resolve()))
    await Promise.all(streams.map((s) => s.ended))
    const elapsed = Date.now() - started
    console.log(`shutdown with 30 open streams: ${elapsed} ms`)
    expect(elapsed).toBeLessThan(2000)
    expect(streams.every((s) => s.isEnded())).toBe(true)
  })

  it('ends streams when SIGTERM arrives, not only in Nitro’s close hook (which runs after its 30 s wait)', async () => {
    server = await startTestServer({ heartbeatMs: 60_000 })
    const closeHooks: (() => unknown)[] = []
    vi.stubGlobal('defineNitroPlugin', (plugin: unknown) => plugin)
    vi.stubGlobal('useRuntimeConfig', () => ({ sse: { retryMs: 1234 } }))
    // Nitro's graceful shutdown also listens; with it present the plugin must not re-raise the signal.
    const nitroShutdown = () => {}
    process.on('SIGTERM', nitroShutdown)
    const before = process.listenerCount('SIGTERM')
    try {
      const { default: plugin } = await import('../../src/runtime/server/plugins/sse')
      ;(plugin as unknown as (app: unknown) => void)({ hooks: { hook: (name: string, fn: () => unknown) => name === 'close' && closeHooks.push(fn) } })
      expect(closeHooks).toHaveLength(1)
      expect(process.listenerCount('SIGTERM')).toBe(before + 1)
      const stream = await openRaw(`${server.url}/api/chat/events`, { authorization: 'Bearer token-1' })
      await stream.next((f) => f.event === 'connected')
      expect(stream.retry).toBe(1234)
      const started = Date.now()
      process.emit('SIGTERM', 'SIGTERM')
      await stream.ended
      expect(Date.now() - started).toBeLessThan(2000)
      expect(process.listenerCount('SIGTERM')).toBe(before)
    } finally {
      process.off('SIGTERM', nitroShutdown)
      vi.unstubAllGlobals()
    }
  })
})
