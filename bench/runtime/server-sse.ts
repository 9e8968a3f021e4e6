/**
 * The shipped SSE runtime exactly as Nuxt runs it: h3 v1 `createApp` + `toNodeListener` on node:http.
 * The stream route is the runtime's own `handleEventStream` (all `events.get.ts` does is call it
 * with the app's hooks) with the hooks a migrated app would have: the user from its auth (here a
 * header), its room joined at connect time. Emits go through the runtime's public helpers
 * (`emitToRoom`, `broadcast`). With REDIS_URL the runtime's Redis broker is used.
 *
 *   node --expose-gc --import tsx bench/runtime/server-sse.ts   (PORT, REDIS_URL; IPC from run.ts)
 */
import { createServer } from 'node:http'
import { createApp, createError, createRouter, defineEventHandler, getHeader, toNodeListener, type H3Event } from 'h3'
import { probeHandoff, roomOfUser, serveIpc, type BenchServer } from './server-common.js'
import { installRedisBroker, loadRuntime, type SSEHooks, type SSEUser } from './sse-runtime.js'

const port = Number(process.env.PORT)
const redisUrl = process.env.REDIS_URL ?? ''

const hooks: SSEHooks = {
  async authenticateSSE(event: H3Event): Promise<SSEUser> {
    const id = Number(getHeader(event, 'x-bench-user'))
    if (!Number.isInteger(id) || id < 0) throw createError({ statusCode: 401, statusMessage: 'Unauthorized' })
    return { id }
  },
  async channelsForConnection(_event: H3Event, user: SSEUser): Promise<string[]> {
    return [`room:${roomOfUser(Number(user.id))}`]
  },
  async canSubscribe(): Promise<boolean> {
    return true
  },
}

const sse = await loadRuntime()
const config = { redisUrl, ticketSecret: 'bench-ticket-secret-of-32-characters-or-more' }
sse.configureSSE(config)
if (redisUrl) await installRedisBroker(config)

const app = createApp()
const router = createRouter()
router.get('/api/chat/events', defineEventHandler((event) => sse.handleEventStream(event, hooks)))
app.use(router)

const runtime = sse.useSSERuntime()
// The local fan-out: every published event, local or from the other instance, goes through it.
probeHandoff(runtime.hub, 'deliver')

const server: BenchServer = {
  connections: () => runtime.hub.connections.size,
  room: (room, payload) => sse.emitToRoom(room, 'bench_room', payload),
  broadcast: (payload) => sse.broadcast('bench_broadcast', payload),
  flood: (room, payload) => sse.emitToRoom(room, 'bench_flood', payload),
}

const httpServer = createServer(toNodeListener(app))
httpServer.listen(port, '127.0.0.1', () => serveIpc(server, { port, kind: 'sse', redis: runtime.broker.kind === 'redis' }))
