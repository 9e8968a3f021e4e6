/**
 * The setup the app had: Socket.IO 4.8 with the WebSocket transport on a plain Node http server,
 * and `@socket.io/redis-adapter` (ioredis pub/sub) when REDIS_URL is set. Users join `user:<id>` and
 * their room at connection time, as the app's connection handler did.
 *
 *   node --expose-gc --import tsx bench/runtime/server-socketio.ts   (PORT, REDIS_URL; IPC from run.ts)
 */
import { createServer } from 'node:http'
import { createAdapter } from '@socket.io/redis-adapter'
import { Redis } from 'ioredis'
import { Server } from 'socket.io'
import { probeHandoff, roomOfUser, serveIpc, type BenchServer } from './server-common.js'

const port = Number(process.env.PORT)
const redisUrl = process.env.REDIS_URL

const httpServer = createServer()
const io = new Server(httpServer, { transports: ['websocket'], serveClient: false })

if (redisUrl) {
  const pub = new Redis(redisUrl)
  const sub = pub.duplicate()
  io.adapter(createAdapter(pub, sub))
}

io.use((socket, next) => {
  const user = Number(socket.handshake.auth.user)
  if (!Number.isInteger(user) || user < 0) return next(new Error('Authentication failed'))
  socket.data.userId = user
  next()
})

io.on('connection', (socket) => {
  const user = socket.data.userId as number
  void socket.join([`user:${user}`, `room:${roomOfUser(user)}`])
})

// The local fan-out: every adapter (in-memory or Redis) ends in the base Adapter's broadcast, both
// for emits made here and for those arriving from the other instance through Redis.
let base: object = io.of('/').adapter
for (let proto = Object.getPrototypeOf(base); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
  if (Object.prototype.hasOwnProperty.call(proto, 'broadcast')) base = proto
}
probeHandoff(base as { broadcast: () => void }, 'broadcast')

const server: BenchServer = {
  connections: () => io.engine.clientsCount,
  room: (room, payload) => { io.to(`room:${room}`).emit('bench_room', payload) },
  broadcast: (payload) => { io.emit('bench_broadcast', payload) },
  flood: (room, payload) => { io.to(`room:${room}`).emit('bench_flood', payload) },
}

httpServer.listen(port, '127.0.0.1', () => serveIpc(server, { port, kind: 'socketio', redis: Boolean(redisUrl) }))
