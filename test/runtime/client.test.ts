import { createServer, type Server } from 'node:http'
import { EventSource } from 'eventsource'
import { createApp, createError, createRouter, defineEventHandler, readBody, send, setResponseStatus, toNodeListener } from 'h3'
import { effectScope, type EffectScope } from 'vue'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { emitToConnection, emitToRoom, emitToUser } from '../../src/runtime/server/utils/sse'
import { useSSERuntime } from '../../src/runtime/server/sse/runtime'
import { startTestServer, type TestServer } from './helpers/app'
import { freePort } from '../helpers/ports'

vi.mock('../../src/runtime/server/utils/sse-hooks', () => import('./helpers/hooks'))

type Composable = typeof import('../../src/runtime/app/composables/useChatSSE')

let server: TestServer
let useChatSSE: Composable['useChatSSE']
const scopes: EffectScope[] = []
/** Handles created outside any scope (as in a function called later): disconnected after each test. */
const loose: { disconnect(): void }[] = []

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
  for (const handle of loose.splice(0)) handle.disconnect()
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

  /** A connected user-1 handle recording the `n` of every `event`, and how often it opened and closed. */
  async function openCounting(event: string) {
    const chat = mount(() => useChatSSE({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, ...slow }))
    const got: number[] = []
    const counts = { opens: 0, closes: 0 }
    chat.onOpen(() => counts.opens++)
    chat.onClose(() => counts.closes++)
    chat.on(event, (m: { n: number }) => got.push(m.n))
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value).toBe(true))
    return { chat, got, counts, id: chat.connectionId.value! }
  }

  it('reconnects after the stream drops, resuming its connection, channels and missed events', async () => {
    const { chat, got, counts, id } = await openCounting('n')
    await chat.send(`${server.url}/api/chat/join`, { channel: 'room:2' })
    await emitToRoom(2, 'n', { n: 1 })
    await vi.waitFor(() => expect(got).toEqual([1]))

    // The server drops the stream (a deploy, a proxy timeout); events keep coming meanwhile.
    connections().get(id)!.close()
    await vi.waitFor(() => expect(counts.closes).toBe(1))
    await emitToRoom(2, 'n', { n: 2 })
    await emitToConnection(id, 'n', { n: 3 })
    await emitToUser(1, 'n', { n: 4 })

    await vi.waitFor(() => expect(counts.opens).toBe(2))
    expect(chat.connectionId.value).toBe(id)
    await emitToRoom(2, 'n', { n: 5 })
    await vi.waitFor(() => expect(got).toEqual([1, 2, 3, 4, 5]))
  })

  it('gets what was emitted while its stream was down even when the stream dropped before its first event', async () => {
    const { got, counts, id } = await openCounting('gap')

    connections().get(id)!.close()
    await vi.waitFor(() => expect(counts.closes).toBe(1))
    await emitToUser(1, 'gap', { n: 1 })
    await emitToConnection(id, 'gap', { n: 2 })

    await vi.waitFor(() => expect(counts.opens).toBe(2))
    await emitToUser(1, 'gap', { n: 3 })
    await vi.waitFor(() => expect(got).toEqual([1, 2, 3]))
  })

  it("stops after a 401 from the ticket request, with the server's message, until connect() is called again", async () => {
    let token = 'expired'
    const chat = mount(() => useChatSSE({ token: () => token, baseURL: `${server.url}/api/chat`, ...fast }))
    const errors: Error[] = []
    const authFailures: string[] = []
    chat.onError((e) => {
      errors.push(e)
      // The branch an app kept from its Socket.IO connect_error handler.
      if (e.message?.includes('Authentication')) authFailures.push(e.message)
    })
    chat.connect()
    await vi.waitFor(() => expect(errors).toHaveLength(1))
    expect(errors[0]).toMatchObject({ status: 401, statusCode: 401, message: 'Authentication token required' })
    expect(authFailures).toEqual(['Authentication token required'])
    // Many backoff periods later: no second attempt.
    await new Promise((r) => setTimeout(r, 500))
    expect(errors).toHaveLength(1)
    expect(chat.connected.value).toBe(false)

    token = 'token-3'
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value).toBe(true), { timeout: 3000 })
    expect([...connections().values()].map((c) => c.user.id)).toEqual([3])
  })

  /** Answers the ticket request with `status` (and counts them); every other request goes to the server. */
  function failTickets(status: number, body: unknown): { calls: number } {
    const realFetch = globalThis.fetch
    const tickets = { calls: 0 }
    vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
      if (!String(input).endsWith('/events/ticket')) return realFetch(input, init)
      tickets.calls++
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
    })
    return tickets
  }

  it('stops after a 403 as after a 401, for every handle of the stream', async () => {
    const tickets = failTickets(403, { statusCode: 403, message: 'Account suspended' })
    const a = mount(() => useChatSSE({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, ...fast }))
    const b = mount(() => useChatSSE({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, ...fast }))
    const errors: string[] = []
    a.onError((e) => errors.push(`a ${e.message}`))
    b.onError((e) => errors.push(`b ${e.message}`))
    a.connect()
    b.connect()
    await vi.waitFor(() => expect(errors).toEqual(['a Account suspended', 'b Account suspended']))
    await new Promise((r) => setTimeout(r, 500))
    expect(tickets.calls).toBe(1)
    // Either handle's connect() starts the stream again.
    b.connect()
    await vi.waitFor(() => expect(tickets.calls).toBe(2))
  })

  it('gives up after reconnectAttempts failed reconnects, as Socket.IO did after reconnectionAttempts, until connect()', async () => {
    const tickets = failTickets(503, { statusCode: 503, message: 'Service Unavailable' })
    const chat = mount(() => useChatSSE({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, reconnectAttempts: 2, ...fast }))
    const errors: Error[] = []
    chat.onError((e) => errors.push(e))
    chat.connect()
    // The first try and two reconnects.
    await vi.waitFor(() => expect(tickets.calls).toBe(3), { timeout: 3000 })
    await new Promise((r) => setTimeout(r, 600))
    expect(tickets.calls).toBe(3)
    expect(errors.map((e) => e.message)).toEqual(['Service Unavailable', 'Service Unavailable', 'Service Unavailable'])

    // connect() starts a fresh count; once the server is back the stream opens.
    vi.unstubAllGlobals()
    vi.stubGlobal('window', globalThis)
    vi.stubGlobal('EventSource', EventSource)
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value).toBe(true), { timeout: 3000 })
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

describe('useChatSSE handles, one per former io() socket', () => {
  const options = () => ({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, ...fast })
  const settle = () => new Promise((r) => setTimeout(r, 150))

  it('runs onOpen of a handle that connects to an already open stream, once per open', async () => {
    // app.vue's OnlineIndicator opens the stream first.
    const indicator = mount(() => useChatSSE(options()))
    indicator.connect()
    await vi.waitFor(() => expect(indicator.connected.value).toBe(true))

    // The chat page mounts later: `socket = io(); socket.on('connect', h)` as migrated.
    let chatOpens = 0
    let lateOpens = 0
    const chat = mount(() => {
      const handle = useChatSSE(options())
      handle.connect()
      handle.onOpen(() => chatOpens++)
      return handle
    })
    expect(chat.connected.value).toBe(false) // as a new socket: connected once `connect` has fired
    await vi.waitFor(() => expect(chatOpens).toBe(1))
    expect(chat.connected.value).toBe(true)
    expect(chat.connectionId.value).toBe(indicator.connectionId.value)
    chat.onOpen(() => lateOpens++)
    await settle()
    expect([chatOpens, lateOpens]).toEqual([1, 1])
    expect(connections().size).toBe(1)

    // The server drops the stream: every handler runs again exactly once for the new open.
    connections().get(chat.connectionId.value!)!.close()
    await vi.waitFor(() => expect(chatOpens).toBe(2))
    await settle()
    expect([chatOpens, lateOpens]).toEqual([2, 2])
  })

  it('disconnect() releases only its own handle; the stream stays open for the others', async () => {
    const indicator = mount(() => useChatSSE(options()))
    const chat = mount(() => useChatSSE(options()))
    const indicatorGot: unknown[] = []
    const chatGot: unknown[] = []
    const chatCloses: string[] = []
    let indicatorCloses = 0
    let chatOpens = 0
    indicator.on('n', (m) => indicatorGot.push(m))
    indicator.onClose(() => indicatorCloses++)
    chat.on('n', (m) => chatGot.push(m))
    chat.onClose((reason) => chatCloses.push(reason))
    chat.onOpen(() => chatOpens++)
    indicator.connect()
    chat.connect()
    await vi.waitFor(() => expect(chatOpens).toBe(1))

    // Leaving the chat page: useChat's disconnect().
    chat.disconnect()
    expect(chatCloses).toEqual(['disconnect'])
    expect(chat.connected.value).toBe(false)
    await emitToUser(1, 'n', 1)
    await vi.waitFor(() => expect(indicatorGot).toEqual([1]))
    expect(indicator.connected.value).toBe(true)
    expect(indicatorCloses).toBe(0)
    expect(connections().size).toBe(1)
    expect(chatGot).toEqual([]) // a disconnected socket hears nothing

    // Its listeners are kept, as a Socket.IO socket's are: connect() again and they hear again.
    chat.connect()
    await vi.waitFor(() => expect(chatOpens).toBe(2))
    await emitToUser(1, 'n', 2)
    await vi.waitFor(() => expect(chatGot).toEqual([2]))
    expect(indicatorGot).toEqual([1, 2])

    indicator.disconnect()
    await settle()
    expect(connections().size).toBe(1)
    chat.disconnect()
    await vi.waitFor(() => expect(connections().size).toBe(0))
  })

  it('removes listeners with the scope that registered them, on a handle created outside any scope', async () => {
    // Created in a function called later (a store action, useChat's connect()): no component scope.
    const socket = useChatSSE(options())
    loose.push(socket)
    socket.connect()
    const appGot: unknown[] = []
    const pageGot: unknown[] = []
    socket.on('n', (m) => appGot.push(m))
    mount(() => socket.on('n', (m) => pageGot.push(m)))
    await vi.waitFor(() => expect(socket.connected.value).toBe(true))
    await emitToUser(1, 'n', 1)
    await vi.waitFor(() => expect(pageGot).toEqual([1]))

    scopes[0]!.stop() // the page that registered the second listener unmounts
    await emitToUser(1, 'n', 2)
    await vi.waitFor(() => expect(appGot).toEqual([1, 2]))
    expect(pageGot).toEqual([1])
    expect(connections().size).toBe(1) // the handle was not created in that scope: it stays connected

    socket.disconnect()
    await vi.waitFor(() => expect(connections().size).toBe(0))
  })

  it('keeps a detached handle (an app-wide singleton) alive after the component that created it unmounts', async () => {
    // `let socket; export const useSocket = () => (socket ??= useChatSSE(...))`, first asked for by component A.
    let singleton: ReturnType<typeof useChatSSE> | undefined
    const useSocket = () => {
      if (!singleton) {
        singleton = useChatSSE({ ...options(), detached: true })
        loose.push(singleton)
        singleton.connect()
      }
      return singleton
    }
    const aGot: unknown[] = []
    const bGot: unknown[] = []
    mount(() => useSocket().on('n', (m) => aGot.push(m)))
    const b = mount(() => useSocket())
    b.on('n', (m) => bGot.push(m))
    await vi.waitFor(() => expect(b.connected.value).toBe(true))

    scopes[0]!.stop() // A, which created the singleton, unmounts
    expect(b.connected.value).toBe(true)
    await emitToUser(1, 'n', 1)
    await vi.waitFor(() => expect(bGot).toEqual([1]))
    expect(aGot).toEqual([]) // A's own listener went with A
    expect(connections().size).toBe(1)

    b.disconnect() // only disconnect() ends it, as it ended the Socket.IO socket
    await vi.waitFor(() => expect(connections().size).toBe(0))
  })

  it('disconnects a handle and drops all its listeners when the scope that created it is disposed', async () => {
    const other = mount(() => useChatSSE(options()))
    other.connect()
    const page = mount(() => useChatSSE(options()))
    page.connect()
    await vi.waitFor(() => expect(page.connected.value).toBe(true))
    // A listener added outside any scope (from a click handler) through the page's handle.
    const got: unknown[] = []
    let closes = 0
    page.on('n', (m) => got.push(m))
    page.onClose(() => closes++)

    scopes[1]!.stop()
    expect(page.connected.value).toBe(false)
    other.disconnect()
    await vi.waitFor(() => expect(connections().size).toBe(0)) // the page's claim went with its scope
    other.connect()
    await vi.waitFor(() => expect(other.connected.value).toBe(true))
    await emitToUser(1, 'n', 1)
    await settle()
    expect(got).toEqual([])
    expect(closes).toBe(0)
  })
})

/**
 * A route as the server-handlers transform generates them from a handler that replied
 * `socket.emit('error', { message: 'Access denied to this room', roomId })`: a 400 with that message.
 */
async function startFailingRoute(): Promise<{ url: string; requests: unknown[]; close(): Promise<void> }> {
  const requests: unknown[] = []
  const router = createRouter()
  router.post(
    '/api/chat/join-room',
    defineEventHandler(async (event) => {
      const body = (await readBody(event)) as { roomId: number }
      requests.push({ body, connectionId: event.node.req.headers['x-sse-connection-id'], auth: event.node.req.headers.authorization })
      throw createError({ statusCode: 400, message: 'Access denied to this room', data: { roomId: body.roomId } })
    }),
  )
  // Plain h3 answers errors without their message; Nitro's error handler (what a Nuxt app runs) includes it.
  const app = createApp({
    async onError(error, event) {
      setResponseStatus(event, error.statusCode)
      const body = { statusCode: error.statusCode, statusMessage: error.statusMessage, message: error.message, data: error.data }
      await send(event, JSON.stringify(body), 'application/json')
    },
  })
  app.use(router)
  const port = await freePort()
  const http: Server = createServer(toNodeListener(app))
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${port}/api/chat/join-room`,
    requests,
    async close() {
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}

describe('removeAllListeners', () => {
  it('drops the listeners of one event, lifecycle ones by their Socket.IO names, or all of them, of this handle only', async () => {
    const options = { token: () => 'token-1', baseURL: `${server.url}/api/chat`, ...fast }
    const chat = mount(() => useChatSSE(options))
    const other = mount(() => useChatSSE(options))
    const heard: string[] = []
    chat.onOpen(() => heard.push('open'))
    chat.on('a', () => heard.push('a'))
    chat.on('b', () => heard.push('b'))
    other.on('a', () => heard.push('other a'))
    chat.connect()
    other.connect()
    await vi.waitFor(() => expect(heard).toContain('open'))
    chat.removeAllListeners('connect')
    chat.removeAllListeners('a')
    connections().get(chat.connectionId.value!)!.close()
    await vi.waitFor(() => expect(chat.connected.value).toBe(true))
    await emitToUser(1, 'a', {})
    await emitToUser(1, 'b', {})
    await vi.waitFor(() => expect(heard).toEqual(['open', 'other a', 'b']))

    chat.removeAllListeners()
    await emitToUser(1, 'b', {})
    await emitToUser(1, 'a', {})
    await vi.waitFor(() => expect(heard).toEqual(['open', 'other a', 'b', 'other a']))
  })
})

describe('post(): fire-and-forget emits', () => {
  const options = () => ({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, ...fast })
  let route: Awaited<ReturnType<typeof startFailingRoute>>
  const rejections: unknown[] = []
  const onRejection = (reason: unknown) => rejections.push(reason)

  beforeEach(async () => {
    route = await startFailingRoute()
    rejections.length = 0
    process.on('unhandledRejection', onRejection)
  })

  afterEach(async () => {
    process.off('unhandledRejection', onRejection)
    vi.restoreAllMocks()
    await route.close()
  })

  const settle = () => new Promise((r) => setTimeout(r, 150))

  it("delivers the server's error message to on('error') listeners, as socket.emit('error') did, and never rejects", async () => {
    const chat = mount(() => useChatSSE(options()))
    const errors: { message: string; statusCode: number; roomId?: number; data: unknown }[] = []
    chat.on('error', (e) => errors.push(e))
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value).toBe(true))

    expect(chat.post(route.url, { roomId: 7 })).toBeUndefined()
    await vi.waitFor(() => expect(errors).toHaveLength(1))
    expect(errors[0]).toEqual({ message: 'Access denied to this room', statusCode: 400, roomId: 7, data: { roomId: 7 } })
    // The same request as send(): JSON body, the connection id and the token.
    expect(route.requests).toEqual([{ body: { roomId: 7 }, connectionId: chat.connectionId.value, auth: 'Bearer token-1' }])
    await settle()
    expect(rejections).toEqual([])
  })

  it("logs the failure with console.error when nothing listens to 'error', without an unhandled rejection", async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const chat = mount(() => useChatSSE(options()))
    chat.connect()
    chat.post(route.url, { roomId: 3 })
    await vi.waitFor(() => expect(logged).toHaveBeenCalledTimes(1))
    expect(String(logged.mock.calls[0]![0])).toContain('Access denied to this room')
    // A network failure (nothing listens on that port any more) is reported the same way.
    const closed = route.url
    await route.close()
    route = await startFailingRoute()
    chat.post(closed, {})
    await vi.waitFor(() => expect(logged).toHaveBeenCalledTimes(2))
    expect(logged.mock.calls[1]![1]).toMatchObject({ statusCode: 0 })
    await settle()
    expect(rejections).toEqual([])
  })

  it('hands the response to the callback where the ack was; a failure skips it and goes to on(\'error\')', async () => {
    const chat = mount(() => useChatSSE(options()))
    const errors: unknown[] = []
    const results: unknown[] = []
    chat.on('error', (e) => errors.push(e))
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value).toBe(true))

    chat.post<{ connectionId: string }>(`${server.url}/api/chat/echo`, { text: 'hi' }, (data) => results.push(data.connectionId))
    await vi.waitFor(() => expect(results).toEqual([chat.connectionId.value]))
    chat.post(route.url, { roomId: 5 }, (data) => results.push(data))
    await vi.waitFor(() => expect(errors).toHaveLength(1))
    expect(errors[0]).toMatchObject({ message: 'Access denied to this room', statusCode: 400, roomId: 5 })
    // A callback that throws is logged, not an unhandled rejection.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    chat.post(`${server.url}/api/chat/echo`, {}, () => {
      throw new Error('page bug')
    })
    await vi.waitFor(() => expect(logged).toHaveBeenCalledTimes(1))
    await settle()
    expect(results).toHaveLength(1)
    expect(rejections).toEqual([])
  })

  it("rejects send() with the server's error message, so a caller showing `error.message` shows the route's error", async () => {
    const chat = mount(() => useChatSSE(options()))
    chat.connect()
    await expect(chat.send(route.url, { roomId: 2 })).rejects.toThrow('Access denied to this room')
  })

  it("leaves send() failures to the caller's promise: on('error') listeners do not hear them twice", async () => {
    const chat = mount(() => useChatSSE(options()))
    const errors: unknown[] = []
    chat.on('error', (e) => errors.push(e))
    chat.connect()
    await expect(chat.send(route.url, { roomId: 1 })).rejects.toMatchObject({ status: 400, data: { message: 'Access denied to this room' } })
    await settle()
    expect(errors).toEqual([])
  })

  it("does not pass the stream's own connection errors to on('error') listeners", async () => {
    const chat = mount(() => useChatSSE(options()))
    const errors: unknown[] = []
    const streamErrors: Error[] = []
    chat.on('error', (e) => errors.push(e))
    chat.onError((e) => streamErrors.push(e))
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value).toBe(true))
    connections().get(chat.connectionId.value!)!.close() // EventSource fires its own `error` event
    await vi.waitFor(() => expect(streamErrors).toHaveLength(1))
    await vi.waitFor(() => expect(chat.connected.value).toBe(true))
    expect(errors).toEqual([])
  })

  it('is a no-op during SSR', async () => {
    vi.unstubAllGlobals()
    const fetchSpy = vi.spyOn(globalThis, 'fetch')
    useChatSSE(options()).post(route.url, {})
    await settle()
    expect(fetchSpy).not.toHaveBeenCalled()
    expect(rejections).toEqual([])
  })
})
