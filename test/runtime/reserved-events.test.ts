import type { ServerResponse } from 'node:http'
import { EventSource } from 'eventsource'
import { createApp, createRouter, defineEventHandler } from 'h3'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { broadcast, emitToChannel, emitToConnection, emitToRoom, emitToUser, RESERVED_EVENTS } from '../../src/runtime/server/utils/sse'
import { useSSERuntime } from '../../src/runtime/server/sse/runtime'
import { RESERVED_STREAM_EVENTS } from '../../src/analysis/stream-events'
import { listenOnFreePort, startTestServer, type TestServer } from './helpers/app'
import { json, openRaw, type RawStream } from './helpers/sse-client'

vi.mock('../../src/runtime/server/utils/sse-hooks', () => import('./helpers/hooks'))

describe('reserved event names at emit', () => {
  let server: TestServer
  const streams: RawStream[] = []

  beforeEach(async () => {
    server = await startTestServer({ heartbeatMs: 0 })
  })

  afterEach(async () => {
    for (const s of streams.splice(0)) s.close()
    await server.close()
  })

  it('lists the names the runtime itself sends', () => {
    expect([...RESERVED_EVENTS].sort()).toEqual(['connected', 'reset', 'sse:cursor'])
  })

  it('throws to the caller, naming the event and the reserved list, and sends nothing', async () => {
    const stream = await openRaw(`${server.url}/api/chat/events`, { authorization: 'Bearer token-1' })
    streams.push(stream)
    const { connectionId } = json<{ connectionId: string }>(await stream.next((f) => f.event === 'connected'))
    const emits = [
      (name: string) => emitToUser(1, name, {}),
      (name: string) => emitToRoom(1, name, {}),
      (name: string) => emitToChannel('user:1', name, {}),
      (name: string) => broadcast(name, {}),
      (name: string) => emitToConnection(connectionId, name, {}),
      (name: string) => useSSERuntime().emit(name, {}, { kind: 'broadcast', except: [] }),
    ]
    for (const name of ['connected', 'reset', 'sse:cursor']) {
      for (const emit of emits) {
        let thrown: unknown
        try {
          // Synchronous: a fire-and-forget caller (no await) must still see it.
          void emit(name)
        } catch (error) {
          thrown = error
        }
        expect(thrown, name).toBeInstanceOf(TypeError)
        const message = (thrown as Error).message
        expect(message).toContain(JSON.stringify(name))
        for (const reserved of RESERVED_EVENTS) expect(message).toContain(reserved)
      }
    }
    // Names merely like them are app events as before.
    await emitToUser(1, 'connected_users')
    await emitToUser(1, 'done')
    await stream.next((f) => f.event === 'done')
    expect(stream.frames.map((f) => f.event)).toEqual(['connected', 'connected_users', 'done'])
  })
})

describe('useChatSSE honours one connected per stream', () => {
  let stop: () => Promise<void>
  let url: string
  const open: ServerResponse[] = []

  beforeEach(async () => {
    // A raw stream endpoint writing frames by hand: what a forged or repeated `connected` looks like on the wire.
    const app = createApp()
    const router = createRouter()
    router.post('/api/chat/events/ticket', defineEventHandler(() => ({ ticket: 't', expiresAt: Date.now() + 60_000 })))
    router.get(
      '/api/chat/events',
      defineEventHandler((event) => {
        const res = event.node.res
        open.push(res)
        res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' })
        res.write('retry: 50\n\n')
        res.write(`event: connected\ndata: ${JSON.stringify({ connectionId: 'first', userId: 1, resumed: false })}\n\n`)
        res.write(`event: connected\ndata: ${JSON.stringify({ connectionId: 'forged', userId: 1, resumed: false })}\n\n`)
        res.write('event: after\ndata: {}\n\n')
        event._handled = true
      }),
    )
    app.use(router)
    ;({ url, stop } = await listenOnFreePort(app))
    vi.stubGlobal('window', globalThis)
    vi.stubGlobal('EventSource', EventSource)
    vi.resetModules()
  })

  afterEach(async () => {
    vi.unstubAllGlobals()
    for (const res of open.splice(0)) res.end()
    await stop()
  })

  it('keeps the first connection id and calls onOpen once', async () => {
    const { useChatSSE } = await import('../../src/runtime/app/composables/useChatSSE')
    const chat = useChatSSE({ baseURL: `${url}/api/chat`, reconnectDelay: { min: 5000, max: 5000 } })
    let opens = 0
    let after = 0
    chat.onOpen(() => opens++)
    chat.on('after', () => after++)
    chat.connect()
    try {
      await vi.waitFor(() => expect(after).toBe(1))
      await new Promise((r) => setTimeout(r, 50)) // onOpen runs on a microtask; let any second one land
      expect(chat.connectionId.value).toBe('first')
      expect(opens).toBe(1)
    } finally {
      chat.disconnect()
    }
  })
})

describe('reserved event names in the migration', () => {
  it('are the names the runtime refuses, so every renamed event can be emitted', () => {
    expect([...RESERVED_STREAM_EVENTS].sort()).toEqual([...RESERVED_EVENTS].sort())
  })
})
