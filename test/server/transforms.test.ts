import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { planMigration, type MigrationPlan } from '../../src/plan.js'
import { IOREDIS_RANGE, packages } from '../../transforms/packages.js'
import { removeSocketIo } from '../../transforms/remove-socket-io.js'
import { serverEmits } from '../../transforms/server-emits.js'
import { writeRepo } from './helpers.js'

const transforms = [serverEmits, removeSocketIo, packages]

const plugin = `import { Server } from 'socket.io'

export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  nitroApp.hooks.hook('listen', (server) => io.attach(server))
  nitroApp.io = io
})
`

function textOf(plan: MigrationPlan, file: string): string | undefined {
  const change = plan.changes.find((candidate) => candidate.path === file)
  return change && change.kind !== 'delete' ? change.text : undefined
}

/** Write a plan's changes to disk, as apply would. */
function applyPlan(dir: string, plan: MigrationPlan): void {
  for (const change of plan.changes) {
    if (change.kind === 'delete') rmSync(path.join(dir, change.path))
    else writeFileSync(path.join(dir, change.path), change.text)
  }
}

describe('server transforms', () => {
  it('follows an io kept on `global` typed by `declare module global`, through event.context, to the routes that emit', async () => {
    const dir = writeRepo({
      'server/middleware/socket.ts': `import { Server } from 'socket.io'

declare module global {
  let io: Server
}

export default defineEventHandler((event) => {
  if (global.io) {
    event.context.io = global.io
    return
  }
  global.io = new Server((event.node.res.socket as any)?.server)
  event.context.io = global.io
})
`,
      'server/api/messages.post.ts': `export default defineEventHandler(async (event) => {
  const { chatId, text } = await readBody(event)
  event.context.io.to(\`room:\${chatId}\`).emit('message', { text })
  return { ok: true }
})
`,
    })
    const plan = await planMigration(dir, { transforms })
    expect(textOf(plan, 'server/api/messages.post.ts')).toContain("emitToRoom(chatId, 'message', { text })")
  })

  it('keeps the lines of a multi-line emit argument where they were, however deep the emit sits', async () => {
    const dir = writeRepo({
      'server/plugins/socket.io.ts': plugin,
      'server/api/chats/read.patch.ts': `export default defineEventHandler(async (event) => {
  const io = useNitroApp().io
  const chat = await readBody<{ participants: string[] }>(event)
  if (io) {
    chat.participants.forEach((participant) => {
      io.to(\`user:\${participant}\`).emit('update-chat', {
        ...chat,
        readAt: Date.now(),
      })
    })
  }
  return { ok: true }
})
`,
    })
    const plan = await planMigration(dir, { transforms })
    // The `if (io)` guard goes with io, and its block moves out one level, every line alike.
    expect(textOf(plan, 'server/api/chats/read.patch.ts')).toBe(`export default defineEventHandler(async (event) => {
  const chat = await readBody<{ participants: string[] }>(event)
  chat.participants.forEach((participant) => {
    emitToUser(participant, 'update-chat', {
      ...chat,
      readAt: Date.now(),
    })
  })
  return { ok: true }
})
`)
  })

  it('imports the helpers the way each file imports server utils, or relies on auto-import', async () => {
    const dir = writeRepo({
      'server/plugins/socket.io.ts': plugin,
      'server/utils/auth.ts': 'export const requireUser = () => 1\n',
      'server/utils/db.ts': 'export const db = {}\n',
      'server/api/alias.post.ts': `import { requireUser } from '~~/server/utils/auth'

export default defineEventHandler(() => {
  useNitroApp().io?.to(\`user:\${requireUser()}\`).emit('a', 1)
})
`,
      'server/api/relative.post.ts': `import { db } from "../utils/db.js";

export default defineEventHandler(() => {
  useNitroApp().io?.emit("b", db);
});
`,
      'server/api/hub.post.ts': `import { useNitroApp } from '#imports'

export default defineEventHandler(() => {
  useNitroApp().io?.to('room:1').emit('c', 3)
})
`,
      'server/api/auto.post.ts': `export default defineEventHandler(() => {
  useNitroApp().io?.emit('d', 4)
})
`,
    })
    const plan = await planMigration(dir, { transforms })
    expect(textOf(plan, 'server/api/alias.post.ts')).toBe(`import { requireUser } from '~~/server/utils/auth'
import { emitToUser } from '~~/server/utils/sse'

export default defineEventHandler(() => {
  emitToUser(requireUser(), 'a', 1)
})
`)
    expect(textOf(plan, 'server/api/relative.post.ts')).toBe(`import { db } from "../utils/db.js";
import { broadcast } from "../utils/sse.js";

export default defineEventHandler(() => {
  broadcast("b", db);
});
`)
    expect(textOf(plan, 'server/api/hub.post.ts')).toBe(`import { emitToRoom } from '#imports'

export default defineEventHandler(() => {
  emitToRoom('1', 'c', 3)
})
`)
    expect(textOf(plan, 'server/api/auto.post.ts')).toBe(`export default defineEventHandler(() => {
  broadcast('d', 4)
})
`)
    expect(plan.changes.find((change) => change.path === 'server/plugins/socket.io.ts')?.kind).toBe('delete')
    expect(plan.dependencyEdits.remove.map((edit) => edit.name)).toEqual(['socket.io'])

    // A second run over the result changes nothing.
    applyPlan(dir, plan)
    const again = await planMigration(dir, { transforms })
    expect(again.changes).toEqual([])
    expect(again.followUps).toEqual([])
  })

  it('leaves an emit alone when the file declares a helper name itself, and keeps io alive for it', async () => {
    const dir = writeRepo({
      'server/plugins/socket.io.ts': plugin,
      'server/api/conflict.post.ts': `function broadcast(message: string) {
  console.log(message)
}

export default defineEventHandler(() => {
  broadcast('local')
  useNitroApp().io?.emit('e', 5)
})
`,
    })
    const plan = await planMigration(dir, { transforms })
    expect(plan.changes.map((change) => change.path)).toEqual([])
    expect(plan.followUps.map((followUp) => `${followUp.file}:${followUp.line} ${followUp.kind}`)).toEqual([
      'server/api/conflict.post.ts:7 emit/name-conflict',
      'server/plugins/socket.io.ts:1 packages/still-imported',
      'server/plugins/socket.io.ts:4 io/server-kept',
    ])
  })

  it('keeps the alias and its guard while io is still passed around, and reports that use', async () => {
    const dir = writeRepo({
      'server/plugins/socket.io.ts': plugin,
      'server/api/mixed.post.ts': `export default defineEventHandler(() => {
  const io = useNitroApp().io
  if (!io) throw createError({ statusCode: 503 })
  io.to('room:1').emit('f', 6)
  auditSockets(io)
})
`,
    })
    const plan = await planMigration(dir, { transforms })
    expect(textOf(plan, 'server/api/mixed.post.ts')).toBe(`export default defineEventHandler(() => {
  const io = useNitroApp().io
  if (!io) throw createError({ statusCode: 503 })
  emitToRoom('1', 'f', 6)
  auditSockets(io)
})
`)
    expect(plan.followUps.map((followUp) => `${followUp.file}:${followUp.line} ${followUp.kind}`)).toEqual([
      'server/api/mixed.post.ts:4 security/unauthenticated-emit',
      'server/api/mixed.post.ts:5 io/unmigrated-use',
      'server/plugins/socket.io.ts:1 packages/still-imported',
      'server/plugins/socket.io.ts:4 io/server-kept',
    ])
  })

  it('keeps an aliased Socket.IO import that a kept plugin still uses', async () => {
    const kept = `import { Server as SocketIOServer, type Socket as IOSocket } from 'socket.io'
import type { Namespace } from 'socket.io'

let io: SocketIOServer | null = null
export const getIO = (): SocketIOServer | null => io

export default defineNitroPlugin((nitroApp) => {
  io = new SocketIOServer()
  nitroApp.hooks.hook('listen', (server) => io?.attach(server))
  io.on('connection', (socket) => {
    socket.on('disconnect', () => markOffline(socket.id))
  })
})
`
    const dir = writeRepo({ 'server/plugins/socket.io.ts': kept })
    const plan = await planMigration(dir)
    expect(plan.followUps.map((followUp) => followUp.kind)).toContain('handlers/plugin-kept')
    const after = textOf(plan, 'server/plugins/socket.io.ts')
    expect(after).toBeDefined()
    expect(after).toContain(`import { Server as SocketIOServer } from 'socket.io'`)
    expect(after).toContain('io = new SocketIOServer()')
    expect(after).not.toContain('Namespace')
    expect(after).not.toContain('IOSocket')
  })

  it('removes socket.io from package.json when only a comment still imports it, and keeps it for a real import in a .vue script', async () => {
    const files = {
      'package.json': JSON.stringify({ dependencies: { 'socket.io': '^4.8.0', 'socket.io-client': '^4.8.0' } }, null, 2) + '\n',
      'server/plugins/socket.io.ts': `// The first version, kept for reference:
// import { Server } from 'socket.io'
/* const io = require("socket.io") */
${plugin}`,
      'app/components/Probe.vue': `<template><p>"import 'socket.io'" is not code here</p></template>
<script setup lang="ts">
import { io } from 'socket.io-client'
const probe = io('/probe')
</script>
`,
    }
    const plan = await planMigration(writeRepo(files), { transforms })
    expect(plan.dependencyEdits.remove.map((edit) => edit.name)).toEqual(['socket.io'])
    expect(plan.followUps.map((followUp) => `${followUp.file}:${followUp.line} ${followUp.kind}`)).toEqual(['app/components/Probe.vue:3 packages/still-imported'])
  })

  it('does not tell the user to remove socket.io from package.json when only an override pins it', async () => {
    const dir = writeRepo({
      'package.json': JSON.stringify({ dependencies: { nuxt: '^4.0.0' }, overrides: { 'socket.io': '4.8.1' } }, null, 2) + '\n',
      'server/plugins/socket.io.ts': plugin,
      'server/api/mixed.post.ts': `export default defineEventHandler(() => {
  useNitroApp().io?.emit('f', 6)
  auditSockets(useNitroApp().io)
})
`,
    })
    const plan = await planMigration(dir, { transforms })
    expect(plan.dependencyEdits.remove).toEqual([])
    expect(plan.followUps.map((followUp) => followUp.kind)).toContain('io/server-kept')
    expect(plan.followUps.map((followUp) => followUp.kind)).not.toContain('packages/still-imported')
  })
})

describe('socket route stubs', () => {
  it('keeps an API route on a socket-like path that does real work and emits through io, rewriting its emit', async () => {
    const route = `export default defineEventHandler(async (event) => {
  const { content } = await readBody(event)
  const message = await saveMessage(content)
  useNitroApp().io?.to(\`room:\${message.roomId}\`).emit('message', message)
  return message
})
`
    const dir = writeRepo({ 'server/plugins/socket.io.ts': plugin, 'server/api/socket/messages/index.post.ts': route })
    const plan = await planMigration(dir, { transforms })
    const change = plan.changes.find((c) => c.path === 'server/api/socket/messages/index.post.ts')
    expect(change?.kind).toBe('update')
    expect(textOf(plan, 'server/api/socket/messages/index.post.ts')).toContain(`emitToRoom(message.roomId, 'message', message)`)
    expect(plan.followUps.filter((f) => f.file === 'server/api/socket/messages/index.post.ts').map((f) => f.kind)).toEqual(['security/unauthenticated-emit'])
  })

  it('deletes a placeholder on a socket path that answers 404 "for Socket.IO", and keeps one that says nothing of it', async () => {
    const stub = `// WebSocket handler for Socket.IO; the plugin serves the real endpoint
export default defineEventHandler((event) => {
  setResponseStatus(event, 404)
  return { message: 'Socket.IO is served by the plugin' }
})
`
    const other = `export default defineEventHandler((event) => {
  setResponseStatus(event, 404)
  return 'nothing here'
})
`
    const dir = writeRepo({ 'server/plugins/socket.io.ts': plugin, 'server/routes/websocket.ts': stub, 'server/routes/ws.ts': other })
    const plan = await planMigration(dir, { transforms })
    expect(plan.changes.find((change) => change.path === 'server/routes/websocket.ts')?.kind).toBe('delete')
    expect(plan.changes.find((change) => change.path === 'server/routes/ws.ts')).toBeUndefined()
  })

  it('keeps a route on a socket path that does real work besides answering', async () => {
    const route = `// Socket.IO health probe
export default defineEventHandler(async (event) => {
  const health = await checkDatabase()
  setResponseStatus(event, health ? 200 : 503)
  return health
})
`
    const dir = writeRepo({ 'server/plugins/socket.io.ts': plugin, 'server/routes/websocket.ts': route })
    const plan = await planMigration(dir, { transforms })
    expect(plan.changes.find((change) => change.path === 'server/routes/websocket.ts')).toBeUndefined()
  })

  it('removes io augmentations with the Socket.IO imports only they used, next to each other or not, and keeps the rest of the file', async () => {
    const dir = writeRepo({
      'server/plugins/socket.io.ts': plugin,
      'server/types/io.d.ts': `import type { Server } from 'socket.io'

declare global {
  var io: Server | undefined
}

export const TYPES_VERSION = 1
`,
      'server/types/nitro.d.ts': `import type { Server, Socket } from 'socket.io'
import type { User } from '../utils/user'

declare module 'nitropack' {
  interface NitroApp {
    startedAt?: number
    io?: Server
  }
}

declare global {
  var io: Server, lastSocket: Socket | undefined, booted: boolean
}

declare module 'socket.io' {
  interface Socket {
    user?: User
  }
}
`,
    })
    const plan = await planMigration(dir, { skip: ['sse-runtime'] })
    expect(plan.changes.find((change) => change.path === 'server/plugins/socket.io.ts')?.kind).toBe('delete')
    expect(textOf(plan, 'server/types/io.d.ts')).toBe('export const TYPES_VERSION = 1\n')
    expect(textOf(plan, 'server/types/nitro.d.ts')).toBe(`import type { Socket } from 'socket.io'
import type { User } from '../utils/user'

declare module 'nitropack' {
  interface NitroApp {
    startedAt?: number
  }
}

declare global {
  var lastSocket: Socket | undefined, booted: boolean
}
`)
  })
})

describe('packages', () => {
  it('adds the ioredis range this package tests the Redis broker with', () => {
    const own = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> }
    expect(IOREDIS_RANGE).toBe(own.devDependencies.ioredis)
  })
})

describe('API routes that emit', () => {
  const route = (body: string) => `// Pushes a Socket.IO notification (uses nitroApp.io)
export default defineEventHandler(async (event) => {
${body}
  const { userId } = await readBody<{ userId: number }>(event)
  useNitroApp().io?.to(\`user:\${userId}\`).emit('notice', { userId })
  return { ok: true }
})
`
  const reports = async (files: Record<string, string>) => {
    const plan = await planMigration(writeRepo({ 'server/plugins/socket.io.ts': plugin, ...files }), { transforms })
    return plan.followUps.filter((f) => f.file === 'server/api/notify.post.ts').map((f) => `${f.line} ${f.severity} ${f.kind}`)
  }

  it('are reported when nothing authenticates the caller, and their comments about Socket.IO are flagged', async () => {
    expect(await reports({ 'server/api/notify.post.ts': route('') })).toEqual(['1 info emit/comment-mentions-socket-io', '5 security security/unauthenticated-emit'])
  })

  it('are not reported as unauthenticated when they call the app\'s auth or read what a server middleware stored', async () => {
    expect(await reports({ 'server/api/notify.post.ts': route('  await requireAuth(event)') })).toEqual(['1 info emit/comment-mentions-socket-io'])
    expect(await reports({ 'server/api/notify.post.ts': route('  if (!event.context.user) throw createError({ statusCode: 401 })') })).toEqual(['1 info emit/comment-mentions-socket-io'])
    expect(await reports({ 'server/api/notify.post.ts': route(''), 'server/middleware/auth.ts': 'export default defineEventHandler(() => {})\n' })).toEqual(['1 info emit/comment-mentions-socket-io'])
  })
})
