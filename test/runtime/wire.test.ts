import { EventEmitter } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { createApp, defineEventHandler, toNodeListener } from 'h3'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import eventsHandler from '../../src/runtime/server/api/chat/events.get'
import { emitToUser, readBearerToken } from '../../src/runtime/server/utils/sse'
import { Connection } from '../../src/runtime/server/sse/connection'
import { encodeFrame } from '../../src/runtime/server/sse/frame'
import { useSSERuntime } from '../../src/runtime/server/sse/runtime'
import { startTestServer, userFromToken, type TestServer } from './helpers/app'

vi.mock('../../src/runtime/server/utils/sse-hooks', () => import('./helpers/hooks'))

/**
 * The runtime writes event bytes straight to the socket, framing HTTP/1.1 chunks itself, so these
 * tests read the raw bytes off a plain TCP socket and check the framing exactly, as a strict
 * client (or a proxy) would.
 */
interface RawHttp {
  socket: Socket
  /** Everything received so far. */
  bytes(): Buffer
  /** Resolves once `check` is true of the bytes received (checked on every read); rejects after `timeoutMs`. */
  until(check: (bytes: Buffer) => boolean, timeoutMs?: number): Promise<Buffer>
  closed: Promise<void>
}

function rawRequest(port: number, request: string): Promise<RawHttp> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = Buffer.alloc(0)
    const waiters = new Set<() => void>()
    let ended = false
    const closed = new Promise<void>((r) => socket.once('close', () => {
      ended = true
      for (const w of [...waiters]) w()
      r()
    }))
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      for (const w of [...waiters]) w()
    })
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.write(request)
      resolve({
        socket,
        bytes: () => received,
        closed,
        until(check, timeoutMs = 5000) {
          return new Promise((resolveBytes, rejectBytes) => {
            const timer = setTimeout(() => done(new Error(`timed out; got ${JSON.stringify(received.toString('latin1'))}`)), timeoutMs)
            const done = (error?: Error) => {
              clearTimeout(timer)
              waiters.delete(test)
              if (error) rejectBytes(error)
              else resolveBytes(received)
            }
            const test = () => {
              if (check(received)) done()
              else if (ended) done(new Error(`socket closed; got ${JSON.stringify(received.toString('latin1'))}`))
            }
            waiters.add(test)
            test()
          })
        },
      })
    })
  })
}

interface Parsed {
  status: number
  headers: Record<string, string>
  /** Body bytes after the head (de-chunked when chunked). */
  body: string
  /** Chunked only: the terminating `0\r\n\r\n` was read. */
  complete: boolean
  /** Bytes after the response (a chunked response's terminator). */
  rest: Buffer
}

/** Parse one HTTP/1.x response; throws on any framing error (wrong size, missing CRLF). */
function parseResponse(bytes: Buffer): Parsed | undefined {
  const headEnd = bytes.indexOf('\r\n\r\n')
  if (headEnd === -1) return undefined
  const [statusLine, ...lines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1])
  let at = headEnd + 4
  if (headers['transfer-encoding'] !== 'chunked') {
    return { status, headers, body: bytes.subarray(at).toString('utf8'), complete: false, rest: Buffer.alloc(0) }
  }
  const parts: Buffer[] = []
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at)
    if (lineEnd === -1) return { status, headers, body: Buffer.concat(parts).toString('utf8'), complete: false, rest: Buffer.alloc(0) }
    const sizeText = bytes.subarray(at, lineEnd).toString('latin1')
    if (!/^[0-9a-f]+$/i.test(sizeText)) throw new Error(`bad chunk size line ${JSON.stringify(sizeText)} at ${at}`)
    const size = parseInt(sizeText, 16)
    const dataStart = lineEnd + 2
    if (size === 0) {
      if (bytes.length < dataStart + 2) return { status, headers, body: Buffer.concat(parts).toString('utf8'), complete: false, rest: Buffer.alloc(0) }
      if (bytes.subarray(dataStart, dataStart + 2).toString('latin1') !== '\r\n') throw new Error('bad terminating chunk')
      return { status, headers, body: Buffer.concat(parts).toString('utf8'), complete: true, rest: bytes.subarray(dataStart + 2) }
    }
    if (bytes.length < dataStart + size + 2) return { status, headers, body: Buffer.concat(parts).toString('utf8'), complete: false, rest: Buffer.alloc(0) }
    if (bytes.subarray(dataStart + size, dataStart + size + 2).toString('latin1') !== '\r\n') throw new Error(`chunk of ${size} bytes at ${at} not followed by CRLF`)
    parts.push(bytes.subarray(dataStart, dataStart + size))
    at = dataStart + size + 2
  }
}

function eventsIn(body: string): { event: string; data: string }[] {
  return body
    .split('\n\n')
    .filter((block) => /^event: /m.test(block))
    .map((block) => ({ event: /^event: (.*)$/m.exec(block)![1]!, data: /^data: (.*)$/m.exec(block)?.[1] ?? '' }))
}

const get = (user: number, version = '1.1', method = 'GET', extra = '') =>
  `${method} /api/chat/events HTTP/${version}\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer token-${user}\r\n${extra}\r\n`

let server: TestServer
const sockets: Socket[] = []

beforeEach(async () => {
  server = await startTestServer({ heartbeatMs: 60_000 })
})

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
  await server.close()
})

async function open(request: string): Promise<RawHttp> {
  const raw = await rawRequest(server.port, request)
  sockets.push(raw.socket)
  return raw
}

describe('the bytes on the wire', () => {
  it('frames every event as one valid HTTP/1.1 chunk, several per tick included, and ends the body with a valid last chunk', async () => {
    const raw = await open(get(4))
    await raw.until((b) => eventsIn(parseResponse(b)?.body ?? '').some((e) => e.event === 'connected'))
    const parsed = parseResponse(raw.bytes())!
    expect(parsed.status).toBe(200)
    expect(parsed.headers['transfer-encoding']).toBe('chunked')
    // Several emits in one tick (one write per socket) and multi-byte text (chunk sizes count bytes).
    await Promise.all([emitToUser(4, 'one', { n: 1 }), emitToUser(4, 'two', { text: 'ครู Somsak → ✓' }), emitToUser(4, 'three', { n: 3 })])
    await emitToUser(4, 'four', { big: 'x'.repeat(70_000) })
    await raw.until((b) => eventsIn(parseResponse(b)!.body).some((e) => e.event === 'four'))
    const events = eventsIn(parseResponse(raw.bytes())!.body)
    expect(events.map((e) => e.event)).toEqual(['connected', 'one', 'two', 'three', 'four'])
    expect(JSON.parse(events[2]!.data)).toEqual({ text: 'ครู Somsak → ✓' })
    expect(JSON.parse(events[4]!.data).big).toHaveLength(70_000)

    // Over maxConnectionsPerUser the oldest stream is ended: its response must end with `0\r\n\r\n`
    // and nothing else, and the kept-alive socket must still serve the next request.
    const others = []
    for (let i = 0; i < 10; i++) others.push(await open(get(4)))
    await Promise.all(others.map((o) => o.until((b) => eventsIn(parseResponse(b)?.body ?? '').some((e) => e.event === 'connected'))))
    await raw.until((b) => parseResponse(b)!.complete)
    expect(parseResponse(raw.bytes())!.rest.length).toBe(0)
    expect(raw.socket.destroyed).toBe(false)
    const before = raw.bytes().length
    raw.socket.write('GET /api/chat/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    await raw.until((b) => parseResponse(b.subarray(before)) !== undefined)
    expect(parseResponse(raw.bytes().subarray(before))!.status).toBe(401)
  })

  it('sends well-formed events, unchunked, to an HTTP/1.0 client, and closes the connection to end the body', async () => {
    const raw = await open(get(2, '1.0'))
    await raw.until((b) => eventsIn(parseResponse(b)?.body ?? '').some((e) => e.event === 'connected'))
    const parsed = parseResponse(raw.bytes())!
    expect(parsed.status).toBe(200)
    expect(parsed.headers['transfer-encoding']).toBeUndefined()
    await emitToUser(2, 'hello', { n: 1 })
    await Promise.all([emitToUser(2, 'again', { n: 2 }), emitToUser(2, 'and', { n: 3 })])
    await raw.until((b) => eventsIn(parseResponse(b)!.body).some((e) => e.event === 'and'))
    const body = parseResponse(raw.bytes())!.body
    expect(body).toMatch(/^retry: 3000\n\nid: \d+-\d+\nevent: connected\ndata: \{[^\n]*\}\n\nid: \d+-\d+\nevent: hello\ndata: \{"n":1\}\n\n/)
    expect(body).not.toMatch(/\r\n/)
    expect(eventsIn(body).map((e) => e.event)).toEqual(['connected', 'hello', 'again', 'and'])
    // Ending a non-chunked body means closing the connection.
    useSSERuntime().hub.closeAll()
    await raw.closed
    expect(eventsIn(parseResponse(raw.bytes())!.body).map((e) => e.event)).toEqual(['connected', 'hello', 'again', 'and'])
  })

  it('gets the chunked form when an HTTP/1.0 client asks for it (TE: chunked)', async () => {
    const raw = await open(get(3, '1.0', 'GET', 'TE: chunked\r\n'))
    await raw.until((b) => eventsIn(parseResponse(b)?.body ?? '').some((e) => e.event === 'connected'))
    const chunked = parseResponse(raw.bytes())!.headers['transfer-encoding'] === 'chunked'
    await emitToUser(3, 'hello', { n: 1 })
    await raw.until((b) => eventsIn(parseResponse(b)!.body).some((e) => e.event === 'hello'))
    // Whichever form Node chose, the body parses as that form.
    expect(eventsIn(parseResponse(raw.bytes())!.body).map((e) => e.event)).toEqual(['connected', 'hello'])
    if (!chunked) expect(raw.bytes().toString('latin1')).not.toMatch(/\r\n[0-9a-f]+\r\n/)
  })

  it('writes no body bytes to a HEAD request routed to the stream', async () => {
    // Nitro routes only GET to events.get.ts; an app mounting the handler for every method is the
    // case where a HEAD reaches the stream.
    const app = createApp()
    app.use(defineEventHandler((event) => {
      event.context.user = userFromToken(readBearerToken(event))
    }))
    app.use('/api/chat/events', eventsHandler)
    const head = createServer(toNodeListener(app))
    await new Promise<void>((resolve) => head.listen(0, '127.0.0.1', resolve))
    try {
      const raw = await rawRequest((head.address() as AddressInfo).port, get(1, '1.1', 'HEAD'))
      sockets.push(raw.socket)
      await raw.until((b) => b.includes('\r\n\r\n'))
      expect(parseResponse(raw.bytes())!.status).toBe(200)
      await vi.waitFor(() => expect(useSSERuntime().hub.userConnections('1')).toHaveLength(1))
      await emitToUser(1, 'hello', { n: 1 })
      await new Promise((r) => setTimeout(r, 100))
      const text = raw.bytes().toString('latin1')
      expect(text.slice(text.indexOf('\r\n\r\n') + 4)).toBe('')
    } finally {
      head.closeAllConnections()
      await new Promise<void>((resolve) => head.close(() => resolve()))
    }
  })

  it('falls back to res.write where the response is not a Node socket it may write around', () => {
    // e.g. unenv's ServerResponse in Nitro's internal fetch: not node:http's, no socket of its own.
    const written: string[] = []
    const res = Object.assign(new EventEmitter(), {
      socket: null,
      headersSent: true,
      chunkedEncoding: true,
      writableLength: 0,
      write: (chunk: Buffer) => written.push(chunk.toString()),
      end: () => written.push('<end>'),
      destroy: () => written.push('<destroy>'),
    })
    const connection = new Connection('c1', { id: 1 }, '1', res as unknown as ServerResponse, 100, ['user:1'])
    connection.start()
    connection.writeNow('event: a\ndata: 1\n\n')
    connection.finishReplay([], undefined, () => true)
    connection.send(encodeFrame('event: b\ndata: 2\n\n'), '1-1')
    expect(written).toEqual(['event: a\ndata: 1\n\n', 'event: b\ndata: 2\n\n'])
    res.writableLength = 95
    connection.send(encodeFrame('event: c\ndata: 3\n\n'), '1-2')
    expect(written.at(-1)).toBe('<destroy>')
    connection.close()
    expect(written.filter((w) => w === '<end>')).toHaveLength(0)
  })
})
