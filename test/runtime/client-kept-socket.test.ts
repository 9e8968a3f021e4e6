import { createServer, type Server as HttpServer } from 'node:http'
import { EventSource } from 'eventsource'
import { Server as SocketIOServer } from 'socket.io'
import { io as connectSocket, type Socket } from 'socket.io-client'
import { effectScope, type EffectScope } from 'vue'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { emitToUser } from '../../src/runtime/server/utils/sse'
import { startTestServer, type TestServer } from './helpers/app'
import { freePort } from '../helpers/ports'

vi.mock('../../src/runtime/server/utils/sse-hooks', () => import('./helpers/hooks'))

type Composable = typeof import('../../src/runtime/app/composables/useChatSSE')

/**
 * A half-moved chat: the events whose server handler could not be migrated stay on a real
 * Socket.IO server, beside the SSE runtime that carries the rest. One handle serves both.
 */
let server: TestServer
let socketServer: SocketIOServer
let socketHttp: HttpServer
let socketUrl: string
let useChatSSE: Composable['useChatSSE']
const scopes: EffectScope[] = []
const sockets: Socket[] = []

function mount<T>(setup: () => T): T {
  const scope = effectScope()
  scopes.push(scope)
  return scope.run(setup)!
}

beforeEach(async () => {
  server = await startTestServer({ heartbeatMs: 0 })
  const port = await freePort()
  socketHttp = createServer()
  socketServer = new SocketIOServer(socketHttp)
  // The handler that stayed: `poke` answers with `poked` to the sender and acks.
  socketServer.on('connection', (socket) => {
    socket.on('poke', (payload: { n: number }, ack?: (reply: { ok: boolean; n: number }) => void) => {
      socket.emit('poked', { n: payload.n })
      ack?.({ ok: true, n: payload.n })
    })
  })
  await new Promise<void>((resolve) => socketHttp.listen(port, '127.0.0.1', resolve))
  socketUrl = `http://127.0.0.1:${port}`
  vi.stubGlobal('window', globalThis)
  vi.stubGlobal('EventSource', EventSource)
  vi.resetModules()
  ;({ useChatSSE } = await import('../../src/runtime/app/composables/useChatSSE'))
})

afterEach(async () => {
  for (const scope of scopes.splice(0)) scope.stop()
  for (const socket of sockets.splice(0)) socket.disconnect()
  vi.unstubAllGlobals()
  await new Promise<void>((resolve) => socketServer.close(() => resolve()))
  await server.close()
})

function keptSocket(): Socket {
  const socket = connectSocket(socketUrl, { transports: ['websocket'] })
  sockets.push(socket)
  return socket
}

function handle(events: string[]) {
  const socket = keptSocket()
  const chat = mount(() => useChatSSE({ token: () => 'token-1', baseURL: `${server.url}/api/chat`, reconnectDelay: { min: 50, max: 200 }, socketIO: { socket, events } }))
  return { chat, socket }
}

describe('useChatSSE with events kept on Socket.IO', () => {
  it('emits a kept event over the socket and hears its reply there, while moved events come over SSE', async () => {
    const { chat, socket } = handle(['poke', 'poked'])
    const poked: unknown[] = []
    const messages: unknown[] = []
    chat.on('poked', (data) => poked.push(data))
    chat.on('new_message', (data) => messages.push(data))
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value && socket.connected).toBe(true))

    chat.emit('poke', { n: 1 })
    await vi.waitFor(() => expect(poked).toEqual([{ n: 1 }]))
    await emitToUser(1, 'new_message', { text: 'over SSE' })
    await vi.waitFor(() => expect(messages).toEqual([{ text: 'over SSE' }]))
    expect(poked).toEqual([{ n: 1 }])
  })

  it('hears a kept event from either transport, and off() removes it from both', async () => {
    const { chat, socket } = handle(['poked'])
    const poked: unknown[] = []
    const listener = (data: unknown) => poked.push(data)
    chat.on('poked', listener)
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value && socket.connected).toBe(true))
    socket.emit('poke', { n: 1 })
    await emitToUser(1, 'poked', { n: 2 })
    await vi.waitFor(() => expect(poked).toHaveLength(2))
    expect(poked).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }]))

    chat.off('poked', listener)
    socket.emit('poke', { n: 3 })
    await emitToUser(1, 'poked', { n: 4 })
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(poked).toHaveLength(2)
  })

  it('waits for the ack of a kept event, and refuses to emit an event that moved', async () => {
    const { chat, socket } = handle(['poke'])
    chat.connect()
    await vi.waitFor(() => expect(socket.connected).toBe(true))
    await expect(chat.emitWithAck('poke', { n: 7 })).resolves.toEqual({ ok: true, n: 7 })
    expect(() => chat.emit('send_message', { text: 'x' })).toThrow('`send_message` moved off Socket.IO')
  })

  it('disconnect() closes the socket with the stream; listeners registered in a component go with it', async () => {
    const { chat, socket } = handle(['poked'])
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value && socket.connected).toBe(true))
    chat.disconnect()
    await vi.waitFor(() => expect(socket.connected).toBe(false))
    expect(chat.connected.value).toBe(false)
    chat.connect()
    await vi.waitFor(() => expect(chat.connected.value && socket.connected).toBe(true))

    const poked: unknown[] = []
    const scope = effectScope()
    scope.run(() => chat.on('poked', (data) => poked.push(data)))
    scope.stop()
    socket.emit('poke', { n: 1 })
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(poked).toEqual([])
  })
})
