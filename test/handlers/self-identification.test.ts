import { describe, expect, it } from 'vitest'
import { migrate } from './helpers.js'

/** A plugin with no `io.use` auth: the client says who it is once connected. */
function identifyingPlugin(handlers: string): string {
  return `import { Server } from 'socket.io'

let io: Server | undefined

export function getIo() {
  return io
}

export default defineNitroPlugin(() => {
  io = new Server()
  io.on('connection', (socket) => {
${handlers}
  })
})
`
}

const identify = `    socket.on('identify', (userId: string) => {
      socket.join(userId)
      socket.data.userId = userId
      console.log('identified', userId)
    })`

/** The app's HTTP auth, an arrow-function const its API routes call. */
const sessionUtil = `import type { H3Event } from 'h3'

export const requireUserId = (event: H3Event) => {
  const userId = getCookie(event, 'uid')
  if (!userId) throw createError({ statusCode: 401, message: 'Sign in first' })
  return userId
}
`

const inviteRoute = `import { getIo } from '~~/server/plugins/socket'
import { requireUserId } from '~~/server/utils/session'

export default defineEventHandler(async (event) => {
  const fromId = requireUserId(event)
  const { toId } = await readBody<{ toId: string }>(event)
  const io = getIo()
  if (io && toId) {
    io.to(toId.toString()).emit('invited', { fromId })
  }
  return { ok: true }
})
`

describe('a client that tells the server who it is', () => {
  it('is replaced by the app\'s own HTTP auth: the handler goes, its rooms are the user\'s channel, its socket data the user\'s id', async () => {
    const { files, deleted, followUps, kinds } = await migrate({
      'server/plugins/socket.ts': identifyingPlugin(`${identify}
    socket.on('wave', (friendId: string) => {
      socket.to(friendId).emit('waved', { userId: socket.data.userId })
    })`),
      'server/utils/session.ts': sessionUtil,
      'server/api/invites.post.ts': inviteRoute,
    })
    expect(deleted).toContain('server/plugins/socket.ts')
    expect(files.get('server/api/invites.post.ts')).toContain("if (toId) {\n    emitToUser(toId.toString(), 'invited', { fromId })")
    expect(files.get('server/api/invites.post.ts')).not.toContain('getIo')
    const hooks = files.get('server/utils/sse-hooks.ts')!
    expect(hooks).toContain("import { requireUserId } from '~~/server/utils/session'")
    expect(hooks).toContain('export async function authenticateSSE(event: H3Event) {\n  const id = requireUserId(event)\n  return { id }\n}')
    const wave = files.get('server/api/chat/wave.post.ts')!
    expect(wave).toContain('const { id } = await authenticateSSE(event)')
    expect(wave).toContain("emitToUser(friendId, 'waved', { userId: id }")
    expect(kinds).not.toContain('security auth/none')
    expect(kinds).toContain('info auth/reused-http-auth')
    const dropped = followUps.find((f) => f.kind === 'handlers/dropped')!
    expect(dropped.severity).toBe('info')
    expect(dropped.reason).toContain('the `identify` handler was dropped: the client no longer says which user it is')
    expect(dropped.reason).toContain('any client could join any user\'s room')
    expect(kinds.filter((kind) => kind.endsWith('handlers/not-transplantable'))).toEqual([])
  })

  it('joining a prefixed room emits to that prefix as the user\'s channel', async () => {
    const { files } = await migrate({
      'server/plugins/socket.ts': identifyingPlugin(`    socket.on('identify', (userId: string) => {
      socket.join(\`member-\${userId}\`)
    })`),
      'server/utils/session.ts': sessionUtil,
      'server/api/invites.post.ts': inviteRoute.replace('io.to(toId.toString())', 'io.to(`member-${toId}`)'),
    })
    expect(files.get('server/api/invites.post.ts')).toContain("emitToUser(toId, 'invited', { fromId })")
  })

  it('sending an object, the field it joins and stores is the id', async () => {
    const { files, kinds } = await migrate({
      'server/plugins/socket.ts': identifyingPlugin(`    socket.on('identify', (payload: { userId: string }) => {
      socket.join(payload.userId)
      socket.data.userId = payload.userId
    })`),
      'server/utils/session.ts': sessionUtil,
      'server/api/invites.post.ts': inviteRoute,
    })
    expect(kinds).toContain('info handlers/dropped')
    expect(files.get('server/api/invites.post.ts')).toContain("emitToUser(toId.toString(), 'invited', { fromId })")
  })

  it('is not one when it joins one field and stores another: which one names the user cannot be told', async () => {
    const { kinds } = await migrate({
      'server/plugins/socket.ts': identifyingPlugin(`    socket.on('identify', (payload: { userId: string; team: string }) => {
      socket.join(payload.team)
      socket.data.userId = payload.userId
    })`),
      'server/utils/session.ts': sessionUtil,
      'server/api/invites.post.ts': inviteRoute,
    })
    expect(kinds).not.toContain('info handlers/dropped')
    expect(kinds).toContain('warning handlers/not-transplantable')
  })

  it('is not one when the handler only joins a room the client names: that is a room join, which becomes a route', async () => {
    const { files, kinds } = await migrate({
      'server/plugins/socket.ts': identifyingPlugin(`    socket.on('joinRoom', (roomId: string) => {
      socket.join(roomId)
    })`),
      'server/utils/session.ts': sessionUtil,
      'server/api/invites.post.ts': inviteRoute,
    })
    expect(kinds).not.toContain('info handlers/dropped')
    expect(files.get('server/api/chat/join-room.post.ts')).toContain('await subscribe(connectionId, roomId, { userId: id })')
    expect(files.get('server/api/invites.post.ts')).toContain("emitToChannel(toId.toString(), 'invited', { fromId })")
  })

  it('a util returning the user gives authenticateSSE that user', async () => {
    const { files } = await migrate({
      'server/plugins/socket.ts': identifyingPlugin(identify),
      'server/utils/session.ts': `import type { H3Event } from 'h3'

interface Account { id: number; name: string }

export async function requireUser(event: H3Event): Promise<Account> {
  const name = getCookie(event, 'name')
  if (!name) throw createError({ statusCode: 401, message: 'Sign in first' })
  return { id: 1, name }
}
`,
      'server/api/invites.post.ts': inviteRoute.replace(/requireUserId\(event\)/, '(await requireUser(event)).id').replace('requireUserId', 'requireUser'),
      'server/api/me.get.ts': `export default defineEventHandler(async (event) => requireUser(event))\n`,
      'server/api/profile.get.ts': `export default defineEventHandler(async (event) => {\n  const user = await requireUser(event)\n  return user\n})\n`,
    })
    expect(files.get('server/utils/sse-hooks.ts')).toContain('  const user = await requireUser(event)\n  return { id: user.id, user }')
  })

  it('stays on Socket.IO, reported as before, when no HTTP auth says who the client is', async () => {
    const { files, deleted, followUps, kinds } = await migrate({
      'server/plugins/socket.ts': identifyingPlugin(identify),
      'server/api/invites.post.ts': inviteRoute.replace("import { requireUserId } from '~~/server/utils/session'\n", '').replace('requireUserId(event)', "getCookie(event, 'uid')"),
    })
    expect(deleted).toEqual([])
    expect(files.has('server/utils/sse-hooks.ts')).toBe(false)
    expect(kinds).toContain('security auth/none')
    expect(followUps.map((f) => f.reason)).toContain('the `identify` handler: reads `userId` from the socket, which no auth middleware stores')
    expect(followUps.find((f) => f.kind === 'emit/kept-on-socket-io')?.file).toBe('server/api/invites.post.ts')
  })

  it('stays when the util only reads what another middleware left on the context: it refuses no one', async () => {
    const { kinds } = await migrate({
      'server/plugins/socket.ts': identifyingPlugin(identify),
      'server/utils/session.ts': `import type { H3Event } from 'h3'\n\nexport const requireUserId = (event: H3Event) => event.context.session?.userId as string\n`,
      'server/api/invites.post.ts': inviteRoute,
    })
    expect(kinds).toContain('security auth/none')
    expect(kinds).not.toContain('info handlers/dropped')
  })

  it('stays when rooms named by a bare value are joined elsewhere too: its emits could be for those rooms', async () => {
    const { followUps, kinds } = await migrate({
      'server/plugins/socket.ts': identifyingPlugin(`${identify}
    socket.on('open-chat', (chatId: string) => {
      socket.join(chatId)
    })`),
      'server/utils/session.ts': sessionUtil,
      'server/api/invites.post.ts': inviteRoute,
    })
    expect(kinds).not.toContain('info handlers/dropped')
    expect(followUps.map((f) => f.reason)).toContain('the `identify` handler: reads `userId` from the socket, which no auth middleware stores')
  })
})
