import type { Server } from 'node:http'
import { createApp, createRouter, defineEventHandler } from 'h3'
import { resolveConfig, type SSEConfig } from '../../../src/runtime/server/sse/config'
import { RedisBroker } from '../../../src/runtime/server/sse/redis-broker'
import { registerRedisBroker, SSERuntime } from '../../../src/runtime/server/sse/runtime'
import { handleEventStream } from '../../../src/runtime/server/sse/stream'
import * as hooks from './hooks'
import { listenOnFreePort, nitroLikeError, userFromToken } from './app'

/** One app instance: its own HTTP server, runtime, hub and broker connections (as a separate Nitro process has). */
export interface Instance {
  url: string
  runtime: SSERuntime
  server: Server
  close(): Promise<void>
}

registerRedisBroker((config, sink) => new RedisBroker(config, sink))

export async function startInstance(config: Partial<SSEConfig>): Promise<Instance> {
  const runtime = new SSERuntime({ ...resolveConfig({}), ticketSecret: 'a-secret-shared-by-every-instance-here', ...config })
  const app = createApp({ onError: nitroLikeError })
  app.use(
    defineEventHandler((event) => {
      const header = event.node.req.headers.authorization
      const user = userFromToken(header?.replace(/^Bearer /, ''))
      if (user) event.context.user = user
    }),
  )
  const router = createRouter()
  router.get('/api/chat/events', defineEventHandler((event) => handleEventStream(event, hooks, runtime)))
  app.use(router)
  const { url, server, stop } = await listenOnFreePort(app)
  return {
    url,
    runtime,
    server,
    async close() {
      await runtime.close()
      await stop()
    },
  }
}
