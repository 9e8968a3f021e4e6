/**
 * The client side of the runtime benchmark, in its own process: many connections to the servers,
 * either raw-HTTP SSE streams (parsed here, as EventSource would) or socket.io-client with
 * `transports: ['websocket']`. It records when each benchmark event arrives.
 *
 *   node --import tsx bench/runtime/client.ts   (IPC from run.ts)
 */
import { request, type ClientRequest as HttpRequest } from 'node:http'
import { io, type Socket } from 'socket.io-client'
import type { BenchPayload, ClientRequest, ClientStats, ConnectReply, Reply } from './protocol.js'

interface Closable { close(): void }

const open = new Set<Closable>()
let stats = emptyStats()

function emptyStats(): ClientStats {
  return { open: 0, roomLatencyNs: [], broadcasts: {}, flood: { count: 0, firstNs: '0', lastNs: '0' }, dropped: 0 }
}

function onEvent(name: string, payload: BenchPayload): void {
  const now = process.hrtime.bigint()
  switch (name) {
    case 'bench_room':
      stats.roomLatencyNs.push(Number(now - BigInt(payload.t)))
      break
    case 'bench_broadcast': {
      const entry = (stats.broadcasts[payload.s] ??= { count: 0, maxNs: 0 })
      entry.count++
      entry.maxNs = Math.max(entry.maxNs, Number(now - BigInt(payload.t)))
      break
    }
    case 'bench_flood':
      if (stats.flood.count === 0) stats.flood.firstNs = now.toString()
      stats.flood.count++
      stats.flood.lastNs = now.toString()
      break
  }
}

/** One SSE stream over raw HTTP; resolves once the server's `connected` event arrived. */
function openSse(url: URL, user: number, timeoutMs: number): Promise<Closable> {
  return new Promise((resolve, reject) => {
    let settled = false
    let req: HttpRequest | undefined
    const handle: Closable = { close: () => req?.destroy() }
    const timer = setTimeout(() => fail(new Error(`SSE connect timeout for user ${user}`)), timeoutMs)
    const fail = (error: Error): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req?.destroy()
      reject(error)
    }
    req = request({ host: url.hostname, port: url.port, path: '/api/chat/events', agent: false, headers: { accept: 'text/event-stream', 'x-bench-user': String(user) } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume()
        return fail(new Error(`SSE status ${res.statusCode} for user ${user}`))
      }
      res.setEncoding('utf8')
      let buffer = ''
      res.on('data', (chunk: string) => {
        buffer += chunk
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          let event = 'message'
          let data = ''
          for (const line of frame.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7)
            else if (line.startsWith('data: ')) data += line.slice(6)
          }
          if (event === 'connected' && !settled) {
            settled = true
            clearTimeout(timer)
            open.add(handle)
            resolve(handle)
          } else if (event.startsWith('bench_')) {
            onEvent(event, JSON.parse(data) as BenchPayload)
          }
        }
      })
      res.on('close', () => {
        if (open.delete(handle)) stats.dropped++
      })
    })
    req.on('error', (error) => {
      if (open.delete(handle)) stats.dropped++
      fail(error)
    })
    req.end()
  })
}

function openSocketIo(url: URL, user: number, timeoutMs: number): Promise<Closable> {
  return new Promise((resolve, reject) => {
    // forceNew: one WebSocket per client, as separate browsers have (no multiplexing on one Manager)
    const socket: Socket = io(url.origin, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: timeoutMs, auth: { user } })
    const handle: Closable = { close: () => socket.disconnect() }
    socket.once('connect', () => {
      open.add(handle)
      resolve(handle)
    })
    socket.once('connect_error', (error) => {
      socket.disconnect()
      reject(error)
    })
    socket.on('disconnect', (reason) => {
      if (reason !== 'io client disconnect' && open.delete(handle)) stats.dropped++
    })
    for (const name of ['bench_room', 'bench_broadcast', 'bench_flood']) {
      socket.on(name, (payload: BenchPayload) => onEvent(name, payload))
    }
  })
}

async function connect(request: Extract<ClientRequest, { cmd: 'connect' }>): Promise<ConnectReply> {
  const started = Date.now()
  const urls = request.urls.map((u) => new URL(u))
  let next = request.from
  let failed = 0
  let firstError: string | undefined
  const worker = async (): Promise<void> => {
    while (next < request.to) {
      const user = next++
      // users alternate between instances, so each two-person room spans both when there are two
      const url = urls[user % urls.length] as URL
      try {
        await (request.kind === 'sse' ? openSse(url, user, request.timeoutMs) : openSocketIo(url, user, request.timeoutMs))
      } catch (error) {
        failed++
        firstError ??= error instanceof Error ? error.message : String(error)
      }
    }
  }
  await Promise.all(Array.from({ length: request.concurrency }, worker))
  return { open: open.size, failed, firstError, ms: Date.now() - started }
}

async function handle(request: ClientRequest): Promise<unknown> {
  switch (request.cmd) {
    case 'connect': return connect(request)
    case 'reset':
      stats = { ...emptyStats(), dropped: stats.dropped }
      return null
    case 'stats': return { ...stats, open: open.size }
    case 'close':
      for (const connection of open) connection.close()
      open.clear()
      return null
  }
}

if (!process.send) throw new Error('the benchmark client must be started with an IPC channel')
process.on('message', (message: { id: number } & ClientRequest) => {
  handle(message).then(
    (result) => process.send?.({ id: message.id, ok: true, result } satisfies Reply<unknown>),
    (error: unknown) => process.send?.({ id: message.id, ok: false, error: String(error instanceof Error ? error.stack : error) } satisfies Reply<unknown>),
  )
})
process.on('disconnect', () => process.exit(0))
process.send({ ready: true })
