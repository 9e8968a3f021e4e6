import { SyntaxKind } from 'ts-morph'
import { describe, expect, it } from 'vitest'
import { analyseFiles } from './helpers.js'

const plugin = `import { Server } from 'socket.io'
import type { NitroApp } from 'nitropack'

declare module 'nitropack' {
  interface NitroApp {
    io?: Server
  }
}

export default defineNitroPlugin((nitroApp: NitroApp) => {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>({ cors: { origin: '*' } })
  nitroApp.io = io
  io.use((socket, next) => next())
  io.on('connection', (socket) => {
    socket.on('send_message', (msg) => {
      io.to(\`room:\${msg.roomId}\`).emit('new_message', msg)
    })
  })
})
`

describe('server analysis', () => {
  it('follows nitroApp.io from the plugin into routes (A1)', () => {
    const { model } = analyseFiles({
      'server/plugins/socket.io.ts': plugin,
      'server/api/notify.post.ts': `export default defineEventHandler(async (event) => {
  const io = useNitroApp().io
  if (!io) throw createError({ statusCode: 500 })
  io.to(\`user:\${1}\`).emit('notification', { a: 1 })
  ;(useNitroApp() as any).io?.emit('ping')
})
`,
    })
    expect(model.sites).toHaveLength(1)
    expect(model.sites[0]!.kind).toBe('plugin')
    expect(model.sites[0]!.typeArguments).toEqual(['ClientToServerEvents', 'ServerToClientEvents'])
    expect(model.connectionHandlers).toHaveLength(1)
    expect(model.middlewares).toHaveLength(1)
    expect(model.emits.map((emit) => `${emit.file} ${emit.call.getText()}`)).toEqual([
      "server/api/notify.post.ts io.to(`user:${1}`).emit('notification', { a: 1 })",
      "server/api/notify.post.ts (useNitroApp() as any).io?.emit('ping')",
      "server/plugins/socket.io.ts io.to(`room:${msg.roomId}`).emit('new_message', msg)",
    ])
    expect(model.stores.map((store) => store.channel)).toEqual(['nitro:io'])
    expect(model.augmentations.map((a) => a.module)).toEqual(['nitropack'])
  })
})

describe('accessors across files', () => {
  it('follows globalThis.io, a singleton module, an exported getter and event.context.io (A2–A5)', () => {
    const { model } = analyseFiles({
      'server/utils/socket-server.ts': `import type { Server } from 'socket.io'
export default { io: null as Server | null }
`,
      'server/utils/get-io.ts': `import type { Server } from 'socket.io'
let instance: Server | undefined
export function setSocketIO(server: Server) { instance = server }
export function getSocketIO() { return instance }
`,
      'server/plugins/socket.ts': `import { Server } from 'socket.io'
import socketServer from '../utils/socket-server'
import { setSocketIO } from '~~/server/utils/get-io'
declare global { var io: Server | undefined }
export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  globalThis.io = io
  socketServer.io = io
  setSocketIO(io)
  nitroApp.hooks.hook('request', (event) => { event.context.io = io })
})
`,
      'server/api/a.post.ts': `import socketServer from '~~/server/utils/socket-server'
import { getSocketIO } from '~~/server/utils/get-io'
export default defineEventHandler((event) => {
  globalThis.io?.to('x').emit('a', 1)
  socketServer.io?.to(\`room:\${1}\`).emit('b', 2)
  getSocketIO()?.emit('c', 3)
  event.context.io.in('y').emit('d', 4)
})
`,
    })
    const emits = model.emits.filter((emit) => emit.file === 'server/api/a.post.ts')
    expect(emits.map((emit) => emit.event?.getText())).toEqual(["'a'", "'b'", "'c'", "'d'"])
    const kinds = model.accesses.filter((access) => access.file === 'server/api/a.post.ts').map((access) => access.kind)
    expect(kinds).toEqual(['global', 'singleton', 'getter', 'event-context'])
    expect(model.getters.map((getter) => getter.name)).toEqual(['getSocketIO'])
  })

  it('never treats other things called io or emit as the server (negative cases)', () => {
    const { model } = analyseFiles({
      'server/utils/events.ts': `import { EventEmitter } from 'node:events'
const io = new EventEmitter()
io.emit('x', 1)
export const bus = io
`,
      'app/composables/useVisible.ts': `export function useVisible(el: Element) {
  const io = new IntersectionObserver(() => {})
  io.observe(el)
  return io
}
`,
      'server/routes/ws.ts': `export default defineWebSocketHandler({ message(peer, msg) { peer.send(msg) } })
`,
    })
    expect(model.accesses).toEqual([])
    expect(model.emits).toEqual([])
    expect(model.sites).toEqual([])
  })

  it('describes a Redis adapter with ioredis and its URL (C9)', () => {
    const { model } = analyseFiles({
      'server/plugins/socket.io.ts': `import { Server } from 'socket.io'
import { createAdapter } from '@socket.io/redis-adapter'
import Redis from 'ioredis'
export default defineNitroPlugin(() => {
  const io = new Server()
  const pub = new Redis(process.env.REDIS_URL || 'redis://localhost:6379')
  const sub = pub.duplicate()
  try {
    io.adapter(createAdapter(pub, sub))
  } catch (error) {
    console.warn('memory adapter', error)
  }
})
`,
    })
    const adapter = model.sites[0]!.redisAdapter!
    expect(adapter.client).toBe('ioredis')
    expect(adapter.connection?.getText()).toBe("process.env.REDIS_URL || 'redis://localhost:6379'")
    expect(adapter.envVars).toEqual(['REDIS_URL'])
    expect(adapter.fallsBackToMemory).toBe(true)
  })

  it('classifies middleware, route-module, standalone and listen-attached servers (C4–C7)', () => {
    const { model } = analyseFiles({
      'server/middleware/socket.ts': `import { Server } from 'socket.io'
export default defineEventHandler((event) => {
  global.io ??= new Server((event.node.res.socket as any)?.server)
})
`,
      'server/routes/socket.io.ts': `import { Server } from 'socket.io'
export const io = new Server()
export default defineEventHandler(() => 'ok')
`,
      'server/plugins/standalone.ts': `import { createServer } from 'node:http'
import { Server } from 'socket.io'
export default defineNitroPlugin(() => {
  const httpServer = createServer()
  const io = new Server(httpServer, { cors: { origin: '*' } })
  httpServer.listen(3002)
})
`,
      'server/plugins/listen.ts': `import { Server } from 'socket.io'
export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  nitroApp.hooks.hook('listen', (server) => io.attach(server))
})
`,
    })
    const byFile = Object.fromEntries(model.sites.map((site) => [site.file, site]))
    expect(byFile['server/middleware/socket.ts']!.kind).toBe('middleware')
    expect(byFile['server/routes/socket.io.ts']!.kind).toBe('route-module')
    expect(byFile['server/plugins/standalone.ts']!.kind).toBe('standalone')
    expect(byFile['server/plugins/standalone.ts']!.standalonePort?.getText()).toBe('3002')
    expect(byFile['server/plugins/listen.ts']!.attachedOnListen).toBe(true)
  })
})

describe('local aliases', () => {
  it('follows destructuring, element access, a bare declared global and ?? fallbacks, and answers isIoExpression', () => {
    const { model, repo } = analyseFiles({
      'server/plugins/socket.io.ts': `import { Server } from 'socket.io'
declare global { var io: Server | undefined }
export default defineNitroPlugin((nitroApp) => {
  const server = globalThis.io ?? new Server()
  nitroApp.io = server
  io = server
})
`,
      'server/api/a.post.ts': `export default defineEventHandler(() => {
  const { io: socketServer } = useNitroApp()
  socketServer?.emit('a')
  globalThis['io']?.emit('b')
  io?.emit('c')
  const other = { io: 1 }
  other.io.toFixed()
})
`,
    })
    expect(model.emits.filter((emit) => emit.file === 'server/api/a.post.ts').map((emit) => emit.event?.getText())).toEqual(["'a'", "'b'", "'c'"])
    const route = repo.units.get('server/api/a.post.ts')!.scripts[0]!.sourceFile
    const other = route.getDescendantsOfKind(SyntaxKind.VariableDeclaration).find((declaration) => declaration.getName() === 'other')!
    const otherRead = route.getDescendants().find((node) => node.getText() === 'other.io')!
    expect(model.isIoExpression(otherRead)).toBe(false)
    expect(model.isIoHolder(other)).toBe(false)
  })
})
