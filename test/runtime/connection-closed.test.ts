import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp, createRouter, defineEventHandler } from 'h3'
import { handleEventStream } from '../../src/runtime/server/sse/stream'
import { useSSERuntime } from '../../src/runtime/server/sse/runtime'
import { clearConfigOverrides } from '../../src/runtime/server/sse/config'
import type { SSEHooks, SSEUser } from '../../src/runtime/server/sse/types'
import { closeSSE, closeUserStreams, configureSSE, readBearerToken } from '../../src/runtime/server/utils/sse'
import { listenOnFreePort, nitroLikeError, TEST_SECRET, userFromToken } from './helpers/app'
import { authenticateSSE, canSubscribe, channelsForConnection } from './helpers/hooks'
import { json, openRaw, type RawStream } from './helpers/sse-client'

/** The stream route of an app whose hooks include `connectionClosed`, served on 127.0.0.1. */
async function serveWithHook(connectionClosed: SSEHooks['connectionClosed']): Promise<{ url: string; close(): Promise<void> }> {
  clearConfigOverrides()
  configureSSE({ ticketSecret: TEST_SECRET })
  const app = createApp({ onError: nitroLikeError })
  app.use(
    defineEventHandler((event) => {
      const user = userFromToken(readBearerToken(event))
      if (user) event.context.user = user
    }),
  )
  const router = createRouter()
  const hooks: SSEHooks = { authenticateSSE, channelsForConnection, canSubscribe, connectionClosed }
  router.get('/api/chat/events', defineEventHandler((event) => handleEventStream(event, hooks)))
  app.use(router)
  const listening = await listenOnFreePort(app)
  return {
    url: listening.url,
    async close() {
      await closeSSE()
      await listening.stop()
      clearConfigOverrides()
    },
  }
}

let server: { url: string; close(): Promise<void> } | undefined
const open: RawStream[] = []

afterEach(async () => {
  for (const stream of open.splice(0)) stream.close()
  await server?.close()
  server = undefined
  vi.restoreAllMocks()
})

async function connect(userId: number): Promise<RawStream> {
  const stream = await openRaw(`${server!.url}/api/chat/events`, { authorization: `Bearer token-${userId}` })
  open.push(stream)
  await stream.next((f) => f.event === 'connected')
  return stream
}

describe('connectionClosed', () => {
  it('runs once per closed stream with its user: two tabs of one user are two calls, as two sockets were', async () => {
    const closed: SSEUser[] = []
    server = await serveWithHook(async (user) => {
      closed.push(user)
    })
    const tabA = await connect(1)
    const tabB = await connect(1)
    await connect(2)
    tabA.close()
    await vi.waitFor(() => expect(closed).toHaveLength(1), { timeout: 2000, interval: 10 })
    expect(closed[0]).toEqual({ id: 1, name: 'user 1' })
    tabB.close()
    await vi.waitFor(() => expect(closed).toHaveLength(2), { timeout: 2000, interval: 10 })
    expect(closed[1]).toEqual({ id: 1, name: 'user 1' })
    // Nothing more: user 2's stream is still open, and a stream never reports twice.
    await new Promise((r) => setTimeout(r, 100))
    expect(closed.map((u) => u.id)).toEqual([1, 1])
  })

  it('runs for streams the server ends (logout), and for every stream at shutdown', async () => {
    const closed: unknown[] = []
    server = await serveWithHook((user) => {
      closed.push(user.id)
    })
    await connect(3)
    await connect(4)
    await closeUserStreams(3)
    await vi.waitFor(() => expect(closed).toEqual([3]), { timeout: 2000, interval: 10 })
    await closeSSE()
    await vi.waitFor(() => expect(closed).toEqual([3, 4]), { timeout: 2000, interval: 10 })
  })

  it('logs a hook that throws or rejects, and the stream is torn down and resumable all the same', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    let calls = 0
    server = await serveWithHook((user) => {
      calls++
      if (user.id === 1) throw new Error('status store down')
      return Promise.reject(new Error('status update refused'))
    })
    const runtime = useSSERuntime()
    const first = await connect(1)
    const connectionId = json<{ connectionId: string }>(await first.next((f) => f.event === 'connected')).connectionId
    const other = await connect(2)
    first.close()
    other.close()
    await vi.waitFor(() => expect(calls).toBe(2), { timeout: 2000, interval: 10 })
    await vi.waitFor(() => expect(runtime.hub.connections.size).toBe(0), { timeout: 2000, interval: 10 })
    await vi.waitFor(() => {
      const logged = errors.mock.calls.map((args) => args.join(' '))
      expect(logged).toContain('[sse] error in connectionClosed: status store down')
      expect(logged).toContain('[sse] error in connectionClosed: status update refused')
    }, { timeout: 2000, interval: 10 })
    // The session was saved despite the failing hook: the client resumes under the same id.
    const resumed = await openRaw(`${server.url}/api/chat/events?resume=${encodeURIComponent(connectionId)}`, { authorization: 'Bearer token-1' })
    open.push(resumed)
    const connected = json<{ connectionId: string; resumed: boolean }>(await resumed.next((f) => f.event === 'connected'))
    expect(connected).toMatchObject({ connectionId, resumed: true })
  })

  it('awaits a slow async hook without holding up other streams', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const started: unknown[] = []
    const finished: unknown[] = []
    server = await serveWithHook(async (user) => {
      started.push(user.id)
      if (user.id === 1) await gate
      finished.push(user.id)
    })
    const runtime = useSSERuntime()
    const slow = await connect(1)
    const fast = await connect(2)
    slow.close()
    await vi.waitFor(() => expect(started).toEqual([1]), { timeout: 2000, interval: 10 })
    // User 1's hook is still waiting; user 2's stream ends and its hook runs to the end meanwhile.
    fast.close()
    await vi.waitFor(() => expect(finished).toEqual([2]), { timeout: 2000, interval: 10 })
    expect(runtime.hub.connections.size).toBe(0)
    // New streams open while the hook waits.
    await connect(3)
    release()
    await vi.waitFor(() => expect(finished).toEqual([2, 1]), { timeout: 2000, interval: 10 })
  })

  it('is optional: hooks without it tear streams down as before', async () => {
    server = await serveWithHook(undefined)
    const runtime = useSSERuntime()
    const stream = await connect(1)
    stream.close()
    await vi.waitFor(() => expect(runtime.hub.connections.size).toBe(0), { timeout: 2000, interval: 10 })
  })
})
