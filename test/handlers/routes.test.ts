import { describe, expect, it } from 'vitest'
import { planMigration } from '../../src/plan.js'
import { writeRepo } from '../helpers/repo.js'
import { migrate, plugin, tokenMiddleware } from './helpers.js'
import type { EventRoute } from '../../src/analysis/model.js'

/** `generated /api/chat/typing server/api/chat/typing.post.ts`, `existing /api/x`, `dropped`. */
const describeRoute = (route: EventRoute): string => (route.status === 'dropped' ? 'dropped' : `${route.status} ${route.url} ${route.file ?? ''}`.trim())

const chatPlugin = plugin({
  imports: `import type { SendMessagePayload } from '#shared/types/chat'\nimport { recordAudit } from '../utils/audit'`,
  before: 'interface RoomPayload {\n  roomId: number\n}\n',
  middleware: tokenMiddleware,
  connection: `    const userId = socket.data.userId as number
    const user = socket.data.user
    socket.join(\`user:\${userId}\`)
    for (const room of await getUserChatRooms(userId)) socket.join(\`room:\${room.id}\`)
    socket.on('join_room', async ({ roomId }: RoomPayload, ack) => {
      try {
        const allowed = await verifyRoomAccess(userId, roomId)
        if (!allowed) {
          socket.emit('error', { message: 'Access denied to this room', roomId })
          ack?.({ success: false })
          return
        }
        await socket.join(\`room:\${roomId}\`)
        ack?.({ success: true })
      } catch (error) {
        console.error('[Socket.IO] join_room failed:', error)
        socket.emit('error', { message: 'Failed to join room' })
      }
    })
    socket.on('leave_room', ({ roomId }: RoomPayload) => {
      socket.leave(\`room:\${roomId}\`)
    })
    socket.on('send_message', async (payload: SendMessagePayload, ack) => {
      const message = await saveMessage({ roomId: payload.roomId, sender: user, content: payload.content })
      recordAudit(userId, 'message')
      io.to(\`room:\${payload.roomId}\`).emit('new_message', message)
      ack({ success: true, data: message })
    })
    socket.on('typing', ({ roomId }: RoomPayload) => {
      socket.to(\`room:\${roomId}\`).emit('typing', { roomId, userId, userName: user.name })
    })
    socket.on('ping', (ack) => ack('pong'))
    socket.on('disconnect', (reason) => {
      console.log(\`[Socket.IO] User \${userId} disconnected (\${reason})\`)
    })`,
})

describe('socket.on handlers → POST routes', () => {
  it('generates one route per client event, listed in the event → route table the client uses', async () => {
    const { plan, files } = await migrate({ 'server/plugins/socket.io.ts': chatPlugin })
    const routes = Object.fromEntries([...plan.model.eventRoutes].map(([event, r]) => [event, describeRoute(r)]))
    expect(routes).toEqual({
      join_room: 'generated /api/chat/join-room server/api/chat/join-room.post.ts',
      leave_room: 'generated /api/chat/leave-room server/api/chat/leave-room.post.ts',
      send_message: 'generated /api/chat/send-message server/api/chat/send-message.post.ts',
      typing: 'generated /api/chat/typing server/api/chat/typing.post.ts',
      ping: 'dropped',
    })
    for (const [event, route] of plan.model.eventRoutes) {
      if (route.status === 'generated') expect(files.has(route.file), event).toBe(true)
    }
  })

  it('transplants the handler code: user from the auth, body from the request, ack as the response', async () => {
    const { files } = await migrate({ 'server/plugins/socket.io.ts': chatPlugin })
    const send = files.get('server/api/chat/send-message.post.ts')!
    expect(send).toContain(`const { user, userId } = await authenticateSSE(event)`)
    expect(send).toContain(`const payload = await readChatBody<SendMessagePayload>(event)`)
    expect(send).toContain(`const message = await saveMessage({ roomId: payload.roomId, sender: user, content: payload.content })`)
    expect(send).toContain(`emitToRoom(payload.roomId, 'new_message', message)`)
    expect(send).toContain(`return { success: true, data: message }`)
    expect(send).not.toMatch(/socket|ack\(|\bio\b/)
  })

  it('joins and leaves only the caller\'s own connection, behind the handler\'s access check', async () => {
    const { files } = await migrate({ 'server/plugins/socket.io.ts': chatPlugin })
    const join = files.get('server/api/chat/join-room.post.ts')!
    expect(join).toContain(`const connectionId = getConnectionId(event, { userId })`)
    expect(join).toMatch(/if \(!connectionId\) \{\n\s+throw createError\(\{ statusCode: 400/)
    const check = join.indexOf('await verifyRoomAccess(userId, roomId)')
    const subscribe = join.indexOf('await subscribe(connectionId, roomChannel(roomId), { userId }, { accessChecked: true })')
    expect(check).toBeGreaterThan(0)
    expect(subscribe).toBeGreaterThan(check)
    expect(files.get('server/api/chat/leave-room.post.ts')).toContain('await unsubscribe(connectionId, roomChannel(roomId), { userId })')
  })

  it('asks canSubscribe again only where the handler joined without checking that room first', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('open_room', async (data: { roomId: number }) => {
      const allowed = await canEnter(socket.data.userId, data.roomId)
      if (allowed) socket.join(\`room:\${data.roomId}\`)
    })
    socket.on('open_lobby', async (data: { lobbyId: number }) => {
      if (!(await isVerified(socket.data.userId))) return
      socket.join(\`lobby:\${data.lobbyId}\`)
    })
    socket.on('watch', (data: { gameId: number }) => {
      socket.join(\`game:\${data.gameId}\`)
    })`,
      }),
    })
    expect(files.get('server/api/chat/open-room.post.ts')).toContain('subscribe(connectionId, roomChannel(data.roomId), { userId }, { accessChecked: true })')
    expect(files.get('server/api/chat/open-lobby.post.ts')).toContain('await subscribe(connectionId, `lobby:${data.lobbyId}`, { userId })\n')
    expect(files.get('server/api/chat/watch.post.ts')).toContain('await subscribe(connectionId, `game:${data.gameId}`, { userId })\n')
  })

  it('turns an error reply into an HTTP error that the surrounding catch lets through', async () => {
    const { files } = await migrate({ 'server/plugins/socket.io.ts': chatPlugin })
    const join = files.get('server/api/chat/join-room.post.ts')!
    expect(join).toContain(`throw createError({ statusCode: 400, message: 'Access denied to this room', data: { roomId } })`)
    // The ack and the return after the error reply can no longer run, so they are gone.
    expect(join).not.toContain('success: false')
    expect(join).toMatch(/catch \(error\) \{\n\s+if \(isError\(error\)\) throw error\n\s+console.error\('\[SSE\] join_room failed:', error\)/)
    // A failure the handler caught is the server's, not the request's.
    expect(join).toContain(`throw createError({ statusCode: 500, message: 'Failed to join room' })`)
  })

  it('answers a refused access check with 403 when the app\'s routes already answer 403', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': chatPlugin,
      'server/api/rooms/[id].get.ts': `export default defineEventHandler(async (event) => {
  if (!(await canSeeRoom(event))) throw createError({ statusCode: 403, message: 'Access denied' })
  return loadRoom(event)
})
`,
    })
    expect(files.get('server/api/chat/join-room.post.ts')).toContain(`throw createError({ statusCode: 403, message: 'Access denied to this room', data: { roomId } })`)
  })

  it('excludes the sender from socket.to(...) / broadcast emits and replies to its own connection', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('typing', ({ roomId }) => {
      socket.to(\`room:\${roomId}\`).emit('typing', { roomId })
    })
    socket.on('everyone', (data) => {
      socket.broadcast.emit('everyone', data)
      socket.emit('sent', { id: socket.id })
    })
    socket.on('two', (data) => {
      socket.broadcast.to('user:' + data.a).to(\`user:\${data.b}\`).emit('hi', data)
    })`,
      }),
    })
    expect(files.get('server/api/chat/typing.post.ts')).toContain(`emitToRoom(roomId, 'typing', { roomId }, { except: connectionId })`)
    const everyone = files.get('server/api/chat/everyone.post.ts')!
    expect(everyone).toContain(`broadcast('everyone', data, { except: connectionId })`)
    expect(everyone).toContain(`if (connectionId) emitToConnection(connectionId, 'sent', { id: connectionId })`)
    expect(files.get('server/api/chat/two.post.ts')).toContain(`emitToUser([data.a, data.b], 'hi', data, { except: connectionId })`)
  })

  it('reads a connection-scope copy of nested socket data from the authenticated user, as a nested destructure', async () => {
    const middleware = `async (socket, next) => {
    const user = await verifyToken(socket.handshake.auth.token)
    if (!user) return next(new Error('Authentication failed'))
    socket.data.user = user
    next()
  }`
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware,
        connection: `    const userId = socket.data.user.userId
    const name = socket.data.user.profile.displayName
    socket.on('wave', (roomId: number) => {
      socket.to(\`room:\${roomId}\`).emit('waved', { userId, name })
    })`,
      }),
    })
    const route = files.get('server/api/chat/wave.post.ts')!
    expect(route).toContain('const { user, user: { userId, profile: { displayName: name } } } = await authenticateSSE(event)')
    expect(route).toContain("emitToRoom(roomId, 'waved', { userId, name }")
  })

  it('keeps a connection-scope user that only code rewritten by server-emits still uses', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    const user = socket.data.user
    socket.on('say', (text: string) => {
      io.to('room:lobby').emit('said', { from: user.id, text })
    })`,
      }),
    })
    const say = files.get('server/api/chat/say.post.ts')!
    expect(say).toContain('const { user } = await authenticateSSE(event)')
    expect(say).toContain(`emitToRoom('lobby', 'said', { from: user.id, text })`)
  })

  it('folds a copy of socket data inside the handler into the auth destructuring', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('wave', (roomId: string) => {
      const userId = socket.data.userId as number
      const me = socket.data.user
      socket.to(\`room:\${roomId}\`).emit('wave', { userId, name: me.name })
    })`,
      }),
    })
    const wave = files.get('server/api/chat/wave.post.ts')!
    expect(wave).toContain('const { userId, user: me } = await authenticateSSE(event)')
    expect(wave).not.toContain('const userId =')
    expect(wave).toContain(`emitToRoom(roomId, 'wave', { userId, name: me.name }, { except: connectionId })`)
  })

  it('validates the request body as far as the parameter type says', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('note', (note: { roomId: number; text?: string; tags: string[] }) => {
      socket.to(\`room:\${note.roomId}\`).emit('note', note)
    })
    socket.on('raw', (anything) => {
      socket.broadcast.emit('raw', anything)
    })
    socket.on('pick', (roomId: string) => {
      socket.broadcast.emit('picked', roomId)
    })`,
      }),
    })
    const note = files.get('server/api/chat/note.post.ts')!
    expect(note).toContain(`const note = await readChatBody<{ roomId: number; text?: string; tags: string[] }>(event)`)
    expect(note).toContain(`if (typeof note?.roomId !== 'number') {\n    throw createError({ statusCode: 400, message: 'roomId must be a number' })`)
    expect(note).toContain(`if (note?.text !== undefined && typeof note.text !== 'string') {`)
    expect(note).not.toContain('tags must')
    expect(files.get('server/api/chat/raw.post.ts')).toContain('const anything = await readChatBody<any>(event)\n\n')
    expect(files.get('server/api/chat/pick.post.ts')).toContain(`if (typeof roomId !== 'string') {`)
  })

  it('drops a @ts-expect-error that spoke of socket code the route rewrote, and keeps one above code it did not touch', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        connection: `    socket.on('go_online', async () => {
      // @ts-expect-error the handshake context is not typed
      const { profile } = socket.request.context.auth
      // @ts-expect-error untyped helper
      await markOnline(profile.id, 1)
      socket.broadcast.emit('online', profile.id)
    })`,
      }),
    })
    const route = files.get('server/api/chat/go-online.post.ts')!
    expect(route).toContain('  const { profile } = event.context.auth\n')
    expect(route).not.toContain('the handshake context is not typed')
    expect(route).toContain('  // @ts-expect-error untyped helper\n  await markOnline(profile.id, 1)')
  })

  it('binds the user\'s id under another name where the handler has an `id` of its own', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        connection: `    socket.on('leaveRoom', (id) => {
      socket.leave(id)
    })`,
      }),
    })
    const route = files.get('server/api/chat/leave-room.post.ts')!
    expect(route).toContain('const { id: userId } = await authenticateSSE(event)')
    expect(route).toContain('const id = await readChatBody<any>(event)')
    expect(route).toContain('await unsubscribe(connectionId, id, { userId })')
  })

  it('names routes after snake-, kebab- and dot-case events and follows the per-event config', async () => {
    const { plan, files, followUps } = await migrate({
      'server/api/chat/rooms/[roomId]/messages.post.ts': 'export default defineEventHandler(() => ({}))\n',
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('join-user', (id) => { socket.broadcast.emit('joined', id) })
    socket.on('message.sent', (m) => { socket.broadcast.emit('message.sent', m) })
    socket.on('markRead', (m) => { socket.broadcast.emit('read', m) })
    socket.on('send_message', (m) => { socket.broadcast.emit('x', m) })
    socket.on('legacy', (m) => { socket.broadcast.emit('y', m) })`,
      }),
    }, {
      routeDir: 'server/api/realtime',
      events: {
        markRead: { file: 'server/api/chat/read.post.ts' },
        send_message: { existing: '/api/chat/rooms/:roomId/messages' },
        legacy: { drop: true },
      },
    })
    const routes = Object.fromEntries([...plan.model.eventRoutes].map(([event, r]) => [event, describeRoute(r)]))
    expect(routes).toEqual({
      'join-user': 'generated /api/realtime/join-user server/api/realtime/join-user.post.ts',
      'message.sent': 'generated /api/realtime/message-sent server/api/realtime/message-sent.post.ts',
      markRead: 'generated /api/chat/read server/api/chat/read.post.ts',
      send_message: 'existing /api/chat/rooms/:roomId/messages server/api/chat/rooms/[roomId]/messages.post.ts',
      legacy: 'dropped',
    })
    expect([...files.keys()].filter((f) => f.includes('/api/')).sort()).toEqual([
      'server/api/chat/read.post.ts',
      'server/api/realtime/join-user.post.ts',
      'server/api/realtime/message-sent.post.ts',
    ])
    expect(followUps.map((f) => `${f.severity} ${f.kind}`)).toEqual(expect.arrayContaining(['info handlers/mapped-to-existing', 'info handlers/dropped']))
  })

  it('brings the imports the body uses (relative paths recomputed, aliases kept) and moves plugin helpers to one util', async () => {
    const { files } = await migrate({
      'server/utils/audit.ts': 'export function recordAudit(id: number, what: string) {}\n',
      'server/plugins/socket.io.ts': chatPlugin,
    })
    const send = files.get('server/api/chat/send-message.post.ts')!
    expect(send).toContain(`import type { SendMessagePayload } from '#shared/types/chat'`)
    expect(send).toContain(`import { recordAudit } from '../../utils/audit'`)
    for (const route of ['join-room', 'leave-room', 'typing']) {
      expect(files.get(`server/api/chat/${route}.post.ts`)).toContain(`import type { RoomPayload } from '../../utils/chat-events'`)
    }
    expect(files.get('server/utils/chat-events.ts')).toBe('export interface RoomPayload {\n  roomId: number\n}\n')
  })

  it('drops ping and log-only disconnect handlers on purpose and deletes the plugin', async () => {
    const { followUps, deleted } = await migrate({ 'server/plugins/socket.io.ts': chatPlugin })
    expect(followUps.filter((f) => f.transform === 'server-handlers').map((f) => `${f.severity} ${f.kind} ${f.line}`)).toEqual([
      'info handlers/dropped 55',
      'info handlers/disconnect-dropped 56',
    ])
    expect(deleted).toEqual(['server/plugins/socket.io.ts'])
  })

  it('counts a disconnect handler that reads socket data only to print it as log-only', async () => {
    const { followUps, deleted } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('disconnect', (reason) => {
      const userId = socket.data.userId
      console.log(\`gone: \${userId} (\${reason})\`)
    })
    socket.on('disconnecting', () => {
      const left = markOffline(socket.data.userId)
      console.log('left', left)
    })`,
      }),
    })
    expect(followUps.map((f) => `${f.kind} ${f.line}`)).toEqual(expect.arrayContaining(['handlers/disconnect-dropped 18', 'handlers/not-transplantable 22']))
    expect(deleted).toEqual([])
  })

  it('does not turn an acknowledgement into a return when more of the handler runs after it', async () => {
    const { plan, followUps } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('save', async (doc: { id: string }, ack) => {
      if (!doc.id) ack({ ok: false })
      await saveDoc(doc)
      ack({ ok: true })
    })`,
      }),
    })
    expect(plan.model.eventRoutes.has('save')).toBe(false)
    expect(followUps.map((f) => `${f.kind} ${f.line}: ${f.reason}`)).toContain(
      'handlers/not-transplantable 19: the `save` handler: more of the handler runs after this acknowledgement, and a `return` in its place would skip it',
    )
  })

  it('reads the h3 context of the handshake from the route\'s own event: the app\'s server middleware fills both', async () => {
    const { files, deleted } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        connection: `    socket.on('go_online', async () => {
      const { profile } = socket.request.context.auth
      await markOnline(profile.id)
      socket.broadcast.emit('online', profile.id)
    })`,
      }),
    })
    expect(deleted).toContain('server/plugins/socket.io.ts')
    const route = files.get('server/api/chat/go-online.post.ts')!
    expect(route).toContain('const { profile } = event.context.auth')
    expect(route).toContain(`broadcast('online', profile.id, { except: connectionId })`)
  })

  it('moves a helper declared inside the connection handler to the shared util when it uses nothing around it', async () => {
    const { files, deleted, followUps } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    const userId = socket.data.userId as number
    socket.on('go_online', async () => {
      await setStatus(userId, true)
    })
    async function setStatus(id: number, online: boolean) {
      return db.profile.update({
        where: { id },
        data: { online },
      })
    }`,
      }),
    })
    expect(followUps.filter((f) => f.kind === 'handlers/not-transplantable')).toEqual([])
    expect(deleted).toContain('server/plugins/socket.io.ts')
    const route = files.get('server/api/chat/go-online.post.ts')!
    expect(route).toContain('await setStatus(userId, true)')
    const util = [...files].find(([path, text]) => path.startsWith('server/utils/') && text.includes('function setStatus'))
    expect(util?.[1]).toContain(`export async function setStatus(id: number, online: boolean) {
  return db.profile.update({
    where: { id },
    data: { online },
  })
}`)
    expect(route).toContain(`import { setStatus } from '../../utils/${util![0].slice('server/utils/'.length, -3)}'`)
  })

  it('keeps the plugin when such a helper uses what the connection handler declared', async () => {
    const { followUps, deleted } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    const userId = socket.data.userId as number
    socket.on('go_online', async () => {
      await setStatus(true)
    })
    const setStatus = (online: boolean) => db.profile.update({ where: { id: userId }, data: { online } })`,
      }),
    })
    expect(deleted).not.toContain('server/plugins/socket.io.ts')
    expect(followUps.find((f) => f.kind === 'handlers/not-transplantable')?.reason).toContain('uses `setStatus` declared around the handler')
  })

  it('deletes the engine.io plumbing of Socket.IO\'s Nuxt recipe with the plugin: the engine and its Nitro route', async () => {
    const { deleted, followUps } = await migrate({
      'server/plugins/socket.io.ts': `import { Server as Engine } from 'engine.io'
import { Server } from 'socket.io'
import { defineEventHandler } from 'h3'

export default defineNitroPlugin((nitroApp) => {
  const engine = new Engine()
  const io = new Server()
  io.bind(engine)
  io.on('connection', (socket) => {
    socket.on('ping_room', (roomId: string) => {
      socket.to(roomId).emit('pinged', roomId)
    })
  })
  nitroApp.router.use('/socket.io/', defineEventHandler({
    handler(event) {
      engine.handleRequest(event.node.req, event.node.res)
      event._handled = true
    },
    websocket: {
      open(peer) {
        engine.prepare(peer.ctx.node.req)
        engine.onWebSocket(peer.ctx.node.req, peer.ctx.node.req.socket, peer.ctx.node.ws)
      },
    },
  }))
})
`,
    })
    expect(followUps.filter((f) => f.kind === 'handlers/unrelated-code' || f.kind === 'handlers/plugin-kept')).toEqual([])
    expect(deleted).toContain('server/plugins/socket.io.ts')
  })

  it('deletes an initialiser called once at start and retried in a ready hook with the plugin', async () => {
    const { deleted, followUps } = await migrate({
      'server/plugins/socket.io.ts': `import { Server } from 'socket.io'

export default defineNitroPlugin(async (nitroApp) => {
  async function initializeSocketIO() {
    if (globalThis.io) return true
    const io = new Server()
    io.on('connection', (socket) => {
      socket.on('wave', (roomId: string) => socket.to(roomId).emit('waved', roomId))
    })
    nitroApp.io = io
    globalThis.io = io
    return true
  }

  let initialized = await initializeSocketIO()
  if (!initialized) {
    console.log('[realtime] retrying once the server is ready')
    nitroApp.hooks.hook('ready', async () => {
      initialized = await initializeSocketIO()
    })
  }
  scheduleCleanup(nitroApp)
})
`,
    })
    expect(followUps.filter((f) => f.kind === 'handlers/unrelated-code').map((f) => f.line)).toEqual([22])
    expect(deleted).toEqual([])
  })

  it('keeps the type of a catch binding the handler wrote, `catch (error: any)`, when it lets HTTP errors through', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('rename', async (name: string) => {
      try {
        if (!name) return socket.emit('error', { message: 'Name required' })
        await rename(name)
      } catch (error: any) {
        console.error(error.message)
      }
    })`,
      }),
    })
    expect(files.get('server/api/chat/rename.post.ts')).toContain('} catch (error: any) {\n    if (isError(error)) throw error')
  })

  it('keeps the plugin without the handlers that became routes and reports what it cannot transplant, leaving that event out of the route table', async () => {
    const { plan, files, followUps, deleted } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('rooms', () => {
      socket.emit('rooms', [...socket.rooms])
    })
    socket.on('disconnect', (reason) => {
      onlineUsers.delete(socket.data.userId, reason)
    })
    socket.on('fine', (x) => { socket.broadcast.emit('fine', x) })`,
      }),
    })
    expect(deleted).toEqual([])
    expect(plan.model.eventRoutes.has('rooms')).toBe(false)
    expect(files.has('server/api/chat/rooms.post.ts')).toBe(false)
    expect(files.has('server/api/chat/fine.post.ts')).toBe(true)
    const kept = files.get('server/plugins/socket.io.ts')!
    expect(kept).not.toContain("socket.on('fine'")
    expect(kept).toContain("socket.on('rooms'")
    expect(kept).toContain("socket.on('disconnect'")
    const reasons = followUps.filter((f) => f.severity === 'warning').map((f) => `${f.kind} ${f.line}: ${f.reason}`)
    expect(reasons).toEqual([
      'handlers/plugin-kept 1: 2 part(s) of the Socket.IO connection code could not be migrated (see the other follow-ups for this file), so server/plugins/socket.io.ts is kept; the handlers that moved (`fine`) were removed from it',
      'handlers/not-transplantable 19: the `rooms` handler: uses `socket.rooms`, which has no SSE equivalent',
      'handlers/not-transplantable 21: the `disconnect` handler: reads the disconnect reason (`reason`), which an ended SSE stream does not give',
    ])
  })
})

describe('typed servers', () => {
  it('types an unannotated payload from the server\'s ClientToServerEvents and validates it', async () => {
    const { files } = await migrate({
      'shared/types/socket.ts': `export interface ClientToServerEvents {
  join_room: (payload: { roomId: number }, ack: (ok: boolean) => void) => void
}
export interface SocketData {
  userId: number
}
`,
      'server/plugins/socket.io.ts': [
        `import { Server } from 'socket.io'`,
        `import type { ClientToServerEvents, SocketData } from '#shared/types/socket'`,
        'export default defineNitroPlugin(() => {',
        '  const io = new Server<ClientToServerEvents, {}, {}, SocketData>()',
        `  io.use(${tokenMiddleware})`,
        `  io.on('connection', (socket) => {`,
        `    socket.on('join_room', async ({ roomId }, ack) => {`,
        '      if (!(await verifyRoomAccess(socket.data.userId, roomId))) return ack(false)',
        '      await socket.join(`room:${roomId}`)',
        '      ack(true)',
        '    })',
        '  })',
        '})',
        '',
      ].join('\n'),
    })
    const join = files.get('server/api/chat/join-room.post.ts')!
    expect(join).toContain(`import type { ClientToServerEvents } from '#shared/types/socket'`)
    expect(join).toContain(`const body = await readChatBody<Parameters<ClientToServerEvents['join_room']>[0]>(event)`)
    expect(join).toContain(`if (typeof body?.roomId !== 'number') {`)
    expect(join).toContain('const { roomId } = body')
    expect(join).toContain('if (!(await verifyRoomAccess(userId, roomId))) return false')
    expect(join).toContain('return true')
  })
})

describe('expression-bodied handlers', () => {
  it('turns an arrow\'s expression body into the route\'s statement', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('echo', (text: string) => socket.emit('echo', text))
    socket.on('time', (ack) => ack(Date.now()))
    socket.on('shout', (text: string) => socket.broadcast.emit('shout', text))`,
      }),
    })
    expect(files.get('server/api/chat/echo.post.ts')).toContain(`\n  if (connectionId) emitToConnection(connectionId, 'echo', text)\n})`)
    expect(files.get('server/api/chat/time.post.ts')).toContain(`\n  return Date.now()\n})`)
    expect(files.get('server/api/chat/shout.post.ts')).toContain(`\n  broadcast('shout', text, { except: connectionId })\n})`)
  })
})

describe('code style', () => {
  it('writes routes and hooks in the repo\'s own style', async () => {
    const { files } = await migrate({
      'server/utils/style.ts': 'export const a = "x";\nexport function b(): string {\n    return "y";\n}\n',
      'server/plugins/socket.io.ts': [
        'import { Server } from "socket.io";',
        'export default defineNitroPlugin(() => {',
        '    const io = new Server();',
        '    io.use(async (socket, next) => {',
        '        const user = await verifyToken(socket.handshake.auth.token);',
        '        if (!user) return next(new Error("Who are you?"));',
        '        socket.data.user = user;',
        '        next();',
        '    });',
        '    io.on("connection", (socket) => {',
        '        socket.on("typing", (roomId: string) => {',
        '            socket.to(`room:${roomId}`).emit("typing", { roomId, name: socket.data.user.name });',
        '        });',
        '    });',
        '});',
        '',
      ].join('\n'),
    })
    const typing = files.get('server/api/chat/typing.post.ts')!
    expect(typing).toContain('    const { user } = await authenticateSSE(event);\n')
    expect(typing).toContain('    emitToRoom(roomId, "typing", { roomId, name: user.name }, { except: connectionId });\n')
    expect(files.get('server/utils/sse-hooks.ts')).toContain('throw createError({ statusCode: 401, message: "Who are you?" });')
  })
})

describe('deleting the plugin', () => {
  it('keeps the file when it also holds code unrelated to Socket.IO or used by other files', async () => {
    const { deleted, followUps } = await migrate({
      'server/api/cleanup.post.ts': `import { nightlyCleanup } from '../plugins/socket.io'\nexport default defineEventHandler(() => nightlyCleanup())\n`,
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('typing', (roomId: string) => socket.to(\`room:\${roomId}\`).emit('typing', roomId))`,
        after: `export function nightlyCleanup(): void {\n  console.log('cleaning up')\n}\n\nfunction unused(): void {}\n`,
      }).replace('  nitroApp.io = io\n', `  nitroApp.io = io\n  nitroApp.hooks.hook('render:response', (response) => { response.headers['x-app'] = 'tutor' })\n`),
    })
    expect(deleted).toEqual([])
    expect(followUps.filter((f) => f.kind === 'handlers/unrelated-code').map((f) => f.code)).toEqual([
      `nitroApp.hooks.hook('render:response', (response) => { response.headers['x-app'] = 'tutor' })`,
      'export function nightlyCleanup(): void {',
    ])
  })
})

describe('positional arguments', () => {
  it('reads (channelId, username) from a JSON array, and the client posts its emit arguments as that array', async () => {
    const dir = writeRepo({
      'package.json': JSON.stringify({ dependencies: { nuxt: '^4.0.0', 'socket.io': '^4.8.1', 'socket.io-client': '^4.8.1' } }),
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('start_typing', (channelId: string, username: string) => {
      socket.to(channelId).emit('typing', username)
    })
    socket.on('rename', async (roomId, name = 'untitled', ack) => {
      ack(await renameRoom(roomId, name))
    })`,
      }),
      'app/composables/useTyping.ts': `import { io } from 'socket.io-client'
export const useTyping = (channelId: string, me: string) => {
  const socket = io()
  const start = () => socket.emit('start_typing', channelId, me)
  const rename = (roomId: number, name: string) => new Promise((resolve, reject) => {
    socket.emit('rename', roomId, name, (result: { ok: boolean }) => resolve(result))
  })
  return { start, rename }
}
`,
    })
    const plan = await planMigration(dir)
    const text = (file: string) => {
      const change = plan.changes.find((c) => c.path === file)
      return change && change.kind !== 'delete' ? change.text : ''
    }
    expect(plan.followUps.filter((f) => f.kind === 'handlers/not-transplantable' || f.kind === 'client/emit-many-args')).toEqual([])
    const typing = text('server/api/chat/start-typing.post.ts')
    expect(typing).toContain('const body = await readChatBody<[string, string]>(event)')
    expect(typing).toContain('if (!Array.isArray(body)) {')
    expect(typing).toContain('const [channelId, username] = body')
    expect(text('server/api/chat/rename.post.ts')).toContain(`const [roomId, name = 'untitled'] = body`)
    const client = text('app/composables/useTyping.ts')
    expect(client).toContain(`const start = () => socket.send('/api/chat/start-typing', [channelId, me])`)
    expect(client).toContain(`socket.send<{ ok: boolean }>('/api/chat/rename', [roomId, name]).then((result: { ok: boolean }) => resolve(result), reject)`)
  })
})
