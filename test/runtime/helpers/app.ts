import { createServer, type Server } from 'node:http'
import { createApp, createRouter, defineEventHandler, readBody, send, setResponseHeader, setResponseStatus, toNodeListener, type App, type H3Error, type H3Event } from 'h3'
import eventsHandler from '../../../src/runtime/server/api/chat/events.get'
import ticketHandler from '../../../src/runtime/server/api/chat/events/ticket.post'
import { closeSSE, configureSSE, emitToConnection, getConnectionId, readBearerToken, readChatBody, subscribe } from '../../../src/runtime/server/utils/sse'
import { clearConfigOverrides, type SSEConfig } from '../../../src/runtime/server/sse/config'
import { freePort } from '../../helpers/ports'

/** The tests' ticket secret: long enough for the runtime to accept it. */
export const TEST_SECRET = 'test-secret-of-at-least-32-characters'

export interface TestServer {
  url: string
  port: number
  server: Server
  close(): Promise<void>
}

/** Bearer `token-<id>` (header, cookie `session=token-<id>`) authenticates user `<id>`, as an app's auth middleware would. */
export function userFromToken(token: string | undefined): { id: number; name: string } | undefined {
  const match = token ? /^token-(\d+)$/.exec(token) : null
  return match ? { id: Number(match[1]), name: `user ${match[1]}` } : undefined
}

/** Error answers as Nitro's JSON error handler writes them: with the error's `message` (plain h3 sends only `statusMessage`). */
export async function nitroLikeError(error: H3Error, event: H3Event): Promise<void> {
  if (event.handled) return
  setResponseStatus(event, error.statusCode, error.statusMessage)
  setResponseHeader(event, 'content-type', 'application/json')
  await send(event, JSON.stringify({ statusCode: error.statusCode, statusMessage: error.statusMessage, message: error.message }))
}

/** The runtime's routes under plain h3 1.x + node:http on 127.0.0.1, as Nitro mounts them. */
export async function startTestServer(config: Partial<SSEConfig> = {}): Promise<TestServer> {
  clearConfigOverrides()
  configureSSE({ ticketSecret: TEST_SECRET, ...config })
  const app = createApp({ onError: nitroLikeError })
  app.use(
    defineEventHandler((event) => {
      const cookie = /(?:^|;\s*)session=([^;]+)/.exec(event.node.req.headers.cookie ?? '')?.[1]
      const user = userFromToken(readBearerToken(event) ?? cookie)
      if (user) event.context.user = user
    }),
  )
  const router = createRouter()
  router.get('/api/chat/events', eventsHandler)
  router.post('/api/chat/events/ticket', ticketHandler)
  // A client→server event route as the migration generates them: acts for the calling connection.
  router.post(
    '/api/chat/join',
    defineEventHandler(async (event) => {
      const user = event.context.user as { id: number } | undefined
      const body = (await readBody(event)) as { connectionId?: string; channel: string }
      const owner = { userId: user?.id ?? -1 }
      await subscribe(body.connectionId ?? getConnectionId(event, owner) ?? '', body.channel, owner)
      return { ok: true }
    }),
  )
  router.post(
    '/api/chat/echo',
    defineEventHandler(async (event) => {
      const body = await readBody(event)
      const connectionId = getConnectionId(event, { userId: (event.context.user as { id: number } | undefined)?.id ?? -1 })
      if (connectionId) await emitToConnection(connectionId, 'echo', { body, user: event.context.user })
      return { connectionId: connectionId ?? null }
    }),
  )
  // A generated event route's body read: bounded by maxBodyBytes.
  router.post(
    '/api/chat/message',
    defineEventHandler(async (event) => {
      const body = await readChatBody<{ text: string }>(event)
      return { length: body.text.length }
    }),
  )
  app.use(router)
  const listening = await listenOnFreePort(app)
  return {
    ...listening,
    async close() {
      await closeSSE()
      await listening.stop()
      clearConfigOverrides()
    },
  }
}

/** Serves an h3 app on a free 127.0.0.1 port; `stop()` cuts open connections (streams) and closes the server. */
export async function listenOnFreePort(app: App): Promise<{ url: string; port: number; server: Server; stop(): Promise<void> }> {
  const port = await freePort()
  const server = createServer(toNodeListener(app))
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
