/**
 * Reference point, not a product: the least an SSE server on h3 v1 can hold per connection — the
 * response kept in a Set, events written with `res.write`, no ids, log, sessions or channels index.
 * The difference between this and server-sse.ts is what the runtime's features cost.
 *
 *   node --expose-gc --import tsx bench/runtime/server-bare-sse.ts   (PORT; IPC from run.ts)
 */
import { createServer, type ServerResponse } from 'node:http'
import { createApp, createRouter, defineEventHandler, getHeader, toNodeListener } from 'h3'
import { probeHandoff, roomOfUser, serveIpc, type BenchServer } from './server-common.js'
import type { BenchPayload } from './protocol.js'

const port = Number(process.env.PORT)
const all = new Set<ServerResponse>()
const rooms = new Map<number, Set<ServerResponse>>()

const app = createApp()
const router = createRouter()
router.get('/api/chat/events', defineEventHandler((event) => {
  const user = Number(getHeader(event, 'x-bench-user'))
  const room = roomOfUser(user)
  const { req, res } = event.node
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' })
  res.write(`event: connected\ndata: ${JSON.stringify({ userId: user })}\n\n`)
  all.add(res)
  let members = rooms.get(room)
  if (!members) rooms.set(room, (members = new Set()))
  members.add(res)
  return new Promise<void>((resolve) => {
    req.once('close', () => {
      all.delete(res)
      members.delete(res)
      if (members.size === 0) rooms.delete(room)
      resolve()
    })
  })
}))
app.use(router)

const fanout = {
  write(targets: Iterable<ServerResponse>, event: string, payload: BenchPayload): void {
    const chunk = Buffer.from(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`)
    for (const res of targets) res.write(chunk)
  },
}
probeHandoff(fanout, 'write')

const server: BenchServer = {
  connections: () => all.size,
  room: (room, payload) => fanout.write(rooms.get(room) ?? [], 'bench_room', payload),
  broadcast: (payload) => fanout.write(all, 'bench_broadcast', payload),
  flood: (room, payload) => fanout.write(rooms.get(room) ?? [], 'bench_flood', payload),
}

const httpServer = createServer(toNodeListener(app))
httpServer.listen(port, '127.0.0.1', () => serveIpc(server, { port, kind: 'bare-sse', redis: false }))
