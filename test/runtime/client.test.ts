import { EventSource } from 'eventsource'
import { effectScope, type EffectScope } from 'vue'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { emitToConnection, emitToRoom, emitToUser } from '../../src/runtime/server/utils/sse'
import { useSSERuntime } from '../../src/runtime/server/sse/runtime'
import { startTestServer, type TestServer } from './helpers/app'

vi.mock('../../src/runtime/server/utils/sse-hooks', () => import('./helpers/hooks'))

type Composable = typeof import('../../src/runtime/app/composables/useChatSSE')

let server: TestServer
let useChatSSE: Composable['useChatSSE']
const scopes: EffectScope[] = []

/** A component: an effect scope that calls the composable, as `setup()` would. */
function mount<T>(setup: () => T): T {
  const scope = effectScope()
  scopes.push(scope)
  return scope.run(setup)!
}

const fast = { reconnectDelay: { min: 50, max: 200 } }
/** Slow enough that events emitted right after a drop land in the gap and must come by replay. */
const slow = { reconnectDelay: { min: 400, max: 800 } }

beforeEach(async () => {
  server = await startTestServer({ heartbeatMs: 0 })
  vi.stubGlobal('window', globalThis)
  vi.stubGlobal('EventSource', EventSource)
  // A fresh module: the composable keeps one stream per tab (module state).
  vi.resetModules()
  ;({ useChatSSE } = await import('../../src/runtime/app/composables/useChatSSE'))
})

afterEach(async () => {
  for (const scope of scopes.splice(0)) scope.stop()
  vi.unstubAllGlobals()
  await server.close()
})

const connections = () => useSSERuntime().hub.connections

describe('useChatSSE against the runtime', () => {
  it('shares one stream between components and closes it when the last one unmounts', async () => {
    const a = mount(() => useChatSSE({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, ...fast }))
    const b = mount(() => useChatSSE({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, ...fast }))
    const gotA: unknown[] = []
    const gotB: unknown[] = []
    a.on('new_message', (m) => gotA.push(m))
    b.on('new_message', (m) => gotB.push(m))
    a.connect()
    b.connect()
    await vi.waitFor(() => expect(b.connected.value).toBe(true))
    expect(connections().size).toBe(1)
    expect(a.connectionId.value).toBe([...connections().keys()][0])
    await emitToUser(1, 'new_message', { text: 'hi' })
    await vi.waitFor(() => expect(gotB).toEqual([{ text: 'hi' }]))
    expect(gotA).toEqual([{ text: 'hi' }])

    scopes[0]!.stop()
    await emitToUser(1, 'new_message', { text: 'again' })
    await vi.waitFor(() => expect(gotB).toHaveLength(2))
    expect(gotA).toHaveLength(1) // the unmounted component's handler is gone
    expect(connections().size).toBe(1)

    scopes[1]!.stop()
    await vi.waitFor(() => expect(connections().size).toBe(0))
    expect(b.connected.value).toBe(false)
  })

  it('send() posts JSON with the connection id and the token', async () => {
    const chat = mount(() => useChatSSE({ token: () => 'token-2', baseURL: `${server.url}/api/chat`, ...fast }))
    const echoes: { body: unknown; user: { id: number } }[] = []
    chat.on('echo', (e) => echoes.push(e))
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value).toBe(true))
    const answer = await chat.send<{ connectionId: string }>(`${server.url}/api/chat/echo`, { text: 'typing' })
    expect(answer.connectionId).toBe(chat.connectionId.value)
    await vi.waitFor(() => expect(echoes).toEqual([{ body: { text: 'typing' }, user: { id: 2, name: 'user 2' } }]))
    await expect(chat.send(`${server.url}/api/chat/join`, { channel: 'room:4' })).rejects.toMatchObject({ status: 403 })
  })

  it('reconnects after the stream drops, resuming its connection, channels and missed events', async () => {
    const chat = mount(() => useChatSSE({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, ...slow }))
    const got: number[] = []
    let opens = 0
    let closes = 0
    chat.onOpen(() => opens++)
    chat.onClose(() => closes++)
    chat.on('n', (m: { n: number }) => got.push(m.n))
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value).toBe(true))
    const id = chat.connectionId.value!
    await chat.send(`${server.url}/api/chat/join`, { channel: 'room:2' })
    await emitToRoom(2, 'n', { n: 1 })
    await vi.waitFor(() => expect(got).toEqual([1]))

    // The server drops the stream (a deploy, a proxy timeout); events keep coming meanwhile.
    connections().get(id)!.close()
    await vi.waitFor(() => expect(closes).toBe(1))
    await emitToRoom(2, 'n', { n: 2 })
    await emitToConnection(id, 'n', { n: 3 })
    await emitToUser(1, 'n', { n: 4 })

    await vi.waitFor(() => expect(opens).toBe(2))
    expect(chat.connectionId.value).toBe(id)
    await emitToRoom(2, 'n', { n: 5 })
    await vi.waitFor(() => expect(got).toEqual([1, 2, 3, 4, 5]))
  })

  it('renews its ticket after a 401 and reconnects with backoff', async () => {
    let token = 'expired'
    const chat = mount(() => useChatSSE({ token: () => token, baseURL: `${server.url}/api/chat`, ...fast }))
    const errors: unknown[] = []
    chat.onError((e) => errors.push(e))
    chat.connect()
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(2), { timeout: 3000 })
    expect(errors[0]).toMatchObject({ status: 401 })
    expect(chat.connected.value).toBe(false)
    token = 'token-3'
    await vi.waitFor(() => expect(chat.connected.value).toBe(true), { timeout: 3000 })
    expect([...connections().values()].map((c) => c.user.id)).toEqual([3])
  })

  it('renews the ticket when the stream itself answers 401 (an expired or rejected ticket)', async () => {
    const realFetch = globalThis.fetch
    let ticketCalls = 0
    // The first ticket is stale by the time the stream opens: the stream answers 401.
    vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
      if (String(input).endsWith('/events/ticket') && ++ticketCalls === 1) {
        return new Response(JSON.stringify({ ticket: 'eyJ1c2VyIjp7ImlkIjoxfSwiZXhwIjoxfQ.stale', expiresAt: 1 }), { status: 200 })
      }
      return realFetch(input, init)
    })
    const chat = mount(() => useChatSSE({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, ...fast }))
    const errors: Error[] = []
    chat.onError((e) => errors.push(e))
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value).toBe(true), { timeout: 3000 })
    expect(ticketCalls).toBe(2)
    expect(errors).toHaveLength(1)
    expect([...connections().values()].map((c) => c.user.id)).toEqual([1])
  })

  it('stays closed after disconnect() and is a no-op during SSR', async () => {
    const chat = mount(() => useChatSSE({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, ...fast }))
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value).toBe(true))
    chat.disconnect()
    await vi.waitFor(() => expect(connections().size).toBe(0))
    await new Promise((r) => setTimeout(r, 400))
    expect(connections().size).toBe(0)

    vi.unstubAllGlobals()
    const fetchSpy = vi.spyOn(globalThis, 'fetch')
    const ssr = useChatSSE({ token: () => 'token-1', baseURL: `${server.url}/api/chat` })
    ssr.connect()
    expect(ssr.connected.value).toBe(false)
    await expect(ssr.send(`${server.url}/api/chat/echo`)).rejects.toThrow(/server-side/)
    expect(fetchSpy).not.toHaveBeenCalled()
    fetchSpy.mockRestore()
  })
})
