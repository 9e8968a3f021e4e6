import { describe, expect, it } from 'vitest'
import { migrate, plugin, tokenMiddleware } from './helpers.js'

const HOOKS = 'server/utils/sse-hooks.ts'

/** The body of an exported function of the hooks file, dedented, for exact comparisons. */
function fn(text: string, name: string): string {
  const start = text.indexOf(`function ${name}(`)
  const end = text.indexOf('\n}\n', start)
  return text.slice(text.indexOf('{\n', start) + 2, end).split('\n').map((l) => l.replace(/^ {2}/, '')).join('\n')
}

describe('io.use middleware → authenticateSSE', () => {
  it('keeps the token sources HTTP has, the verification call and the 401 messages', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({ middleware: tokenMiddleware, connection: '' }),
    })
    const hooks = files.get(HOOKS)!
    expect(hooks).toContain('export async function authenticateSSE(event: H3Event) {')
    expect(fn(hooks, 'authenticateSSE')).toBe([
      `const token = getRequestHeader(event, 'authorization')?.replace('Bearer ', '')`,
      `if (!token) throw createError({ statusCode: 401, message: 'Authentication token required' })`,
      'try {',
      '  const user = await verifyToken(token)',
      '  const userId = user.id',
      '  return { id: userId, user, userId }',
      '} catch (error) {',
      `  throw createError({ statusCode: 401, message: 'Authentication failed' })`,
      '}',
    ].join('\n'))
  })

  it('carries a Socket.IO error type over as Error, so the hooks file imports nothing from socket.io', async () => {
    const { files, followUps } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        imports: `import type { ExtendedError } from 'socket.io'`,
        middleware: `async (socket, next) => {
    try {
      socket.data.user = await verifyToken(socket.handshake.auth.token)
      next()
    } catch (e) {
      const error = e as ExtendedError
      next(new Error(error.message))
    }
  }`,
        connection: '',
      }),
    })
    const hooks = files.get(HOOKS)!
    expect(hooks).not.toContain('socket.io')
    expect(hooks).toContain('const error = e as Error')
    expect(followUps.filter((followUp) => followUp.kind.startsWith('handlers/'))).toEqual([])
  })

  it('reads a cookie from the request and stores what the middleware put on the socket', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        imports: `import { parse } from 'cookie'`,
        middleware: `(socket, next) => {
    const cookies = parse(socket.handshake.headers.cookie ?? '')
    const session = getSession(cookies.sid)
    if (!session) return next(new Error('Not logged in'))
    socket.user = session.user
    next()
  }`,
        connection: `    socket.on('typing', (roomId) => socket.to(\`room:\${roomId}\`).emit('typing', { roomId, name: socket.user.name }))`,
      }),
    })
    const hooks = files.get(HOOKS)!
    expect(hooks).toContain(`import { parse } from 'cookie'`)
    expect(fn(hooks, 'authenticateSSE')).toBe([
      `const cookies = parse(getRequestHeader(event, 'cookie') ?? '')`,
      'const session = getSession(cookies.sid)',
      `if (!session) throw createError({ statusCode: 401, message: 'Not logged in' })`,
      'const user = session.user',
      'return { id: user.id, user }',
    ].join('\n'))
    const typing = files.get('server/api/chat/typing.post.ts')!
    expect(typing).toContain('const { user } = await authenticateSSE(event)')
    expect(typing).toContain(`emitToRoom(roomId, 'typing', { roomId, name: user.name }, { except: connectionId })`)
  })

  const queryPlugin = plugin({
    middleware: `async (socket, next) => {
    const token = socket.handshake.query.token as string
    try {
      socket.data.userId = (await verifyJwt(token)).sub
      next()
    } catch {
      next(new Error('Invalid token'))
    }
  }`,
    connection: '',
  })

  it('does not read a handshake query token from the URL unless allowQueryToken is set, and says so', async () => {
    const off = await migrate({ 'server/plugins/socket.io.ts': queryPlugin })
    expect(fn(off.files.get(HOOKS)!, 'authenticateSSE')).toContain(`const token = getRequestHeader(event, 'authorization')?.replace(/^Bearer /, '') as string`)
    expect(off.kinds).toContain('info auth/query-token-dropped')
    const on = await migrate({ 'server/plugins/socket.io.ts': queryPlugin }, { allowQueryToken: true })
    expect(fn(on.files.get(HOOKS)!, 'authenticateSSE')).toContain('const token = getQuery(event).token as string')
    expect(on.kinds).not.toContain('info auth/query-token-dropped')
  })

  it('reuses Nitro\'s event.context.auth when the socket copied it from the request', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: `(socket, next) => {
    const auth = (socket.request as any).context?.auth
    if (!auth?.user) return next(new Error('Unauthorized'))
    socket.data.user = auth.user
    next()
  }`,
        connection: '',
      }),
    })
    expect(fn(files.get(HOOKS)!, 'authenticateSSE')).toBe([
      'const auth = event.context.auth',
      `if (!auth?.user) throw createError({ statusCode: 401, message: 'Unauthorized' })`,
      'const user = auth.user',
      'return { id: user.id, user }',
    ].join('\n'))
  })

  it('reports a server without socket auth and one that trusts a client-sent id as security follow-ups', async () => {
    const { files, kinds, deleted } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        connection: `    const userId = socket.handshake.query.userId
    socket.join('user:' + userId)
    socket.on('send', (msg) => { socket.to('room:' + msg.room).emit('msg', msg) })`,
      }),
    })
    expect(kinds).toEqual(expect.arrayContaining(['security auth/none', 'security auth/client-sent-id', 'warning handlers/not-transplantable']))
    // The runtime's default hooks stay; the join that trusted the client id is not carried over.
    expect(files.has(HOOKS)).toBe(false)
    expect(deleted).toEqual([])
    expect(files.get('server/api/chat/send.post.ts')).toContain(`emitToRoom(msg.room, 'msg', msg, { except: connectionId })`)
  })
})

describe('reusing the app\'s HTTP auth', () => {
  const files = {
    'server/utils/auth.ts': `export async function requireAuth(event: H3Event) {
  const token = getCookie(event, 'auth_token')
  if (!token) throw createError({ statusCode: 401, message: 'Authentication token required' })
  return verifyToken(token)
}
`,
    'server/api/me.get.ts': 'export default defineEventHandler(async (event) => requireAuth(event))\n',
    'server/api/rooms.get.ts': 'export default defineEventHandler(async (event) => {\n  const user = await requireAuth(event)\n  return listRooms(user.id)\n})\n',
  }

  it('calls the util the API routes use when it runs the middleware\'s verification', async () => {
    const { files: out, kinds } = await migrate({
      ...files,
      'server/plugins/socket.io.ts': plugin({ middleware: tokenMiddleware, connection: '' }),
    })
    expect(fn(out.get(HOOKS)!, 'authenticateSSE')).toBe([
      'const user = await requireAuth(event)',
      'const userId = user.id',
      'return { id: userId, user, userId }',
    ].join('\n'))
    expect(kinds).toContain('info auth/reused-http-auth')
  })

  it('transplants the middleware when it verifies differently', async () => {
    const { files: out, kinds } = await migrate({
      ...files,
      'server/plugins/socket.io.ts': plugin({
        middleware: `async (socket, next) => {
    const claims = await verifyApiKey(socket.handshake.auth.token)
    if (!claims) return next(new Error('Bad key'))
    socket.data.userId = claims.sub
    next()
  }`,
        connection: '',
      }),
    })
    expect(fn(out.get(HOOKS)!, 'authenticateSSE')).toContain(`const claims = await verifyApiKey(getRequestHeader(event, 'authorization')?.replace(/^Bearer /, ''))`)
    expect(kinds).not.toContain('info auth/reused-http-auth')
  })
})

describe('routes that need only the user\'s id', () => {
  const app = {
    'server/utils/auth.ts': `export async function requireAuth(event: H3Event) {
  const token = getHeader(event, 'authorization')?.replace('Bearer ', '')
  if (!token) throw createError({ statusCode: 401, message: 'Authentication required' })
  const payload = verifyAccessToken(token)
  event.context.user = payload
  return payload
}
`,
    'server/api/rooms.get.ts': "import { requireAuth } from '#server/utils/auth'\n\nexport default defineEventHandler(async (event) => listRooms((await requireAuth(event)).userId))\n",
    'server/plugins/socket.io.ts': plugin({
      middleware: `async (socket, next) => {
    try {
      const payload = verifyAccessToken(socket.handshake.auth.token)
      const user = await findUser(payload.userId)
      if (!user) return next(new Error('User not found'))
      socket.data.user = user
      next()
    } catch {
      next(new Error('Invalid token'))
    }
  }`,
      connection: `    const user = socket.data.user
    socket.on('leave', (roomId: number) => {
      socket.leave(\`room:\${roomId}\`)
      io.to(\`room:\${roomId}\`).emit('left', { roomId, userId: user.id })
    })
    socket.on('wave', (roomId: number) => {
      socket.to(\`room:\${roomId}\`).emit('waved', { name: user.name })
    })`,
    }),
  }

  it('authenticate with the app\'s own HTTP auth util, imported as its routes import it, without the user lookup', async () => {
    const { files } = await migrate(app)
    const leave = files.get('server/api/chat/leave.post.ts')!
    expect(leave).toContain("import { requireAuth } from '#server/utils/auth'")
    expect(leave).toContain('const { userId } = await requireAuth(event)')
    expect(leave).toContain('await unsubscribe(connectionId, roomChannel(roomId), { userId })')
    expect(leave).toContain("emitToRoom(roomId, 'left', { roomId, userId })")
    expect(leave).not.toContain('authenticateSSE')
  })

  it('keep the full authenticateSSE where the handler reads more of the user', async () => {
    const { files } = await migrate(app)
    const wave = files.get('server/api/chat/wave.post.ts')!
    expect(wave).toContain('const { user } = await authenticateSSE(event)')
    expect(wave).not.toContain('requireAuth')
  })
})

describe('connection-time joins → channelsForConnection / canSubscribe', () => {
  it('turns the rooms joined at connection into the stream\'s channels, behind the same checks', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    const userId = socket.data.userId
    console.log(\`[Socket.IO] \${userId} connected as \${socket.id}\`)
    // Personal room
    socket.join(\`user:\${userId}\`)
    for (const room of await getUserChatRooms(userId)) {
      if (room.archived) continue
      socket.join(\`room:\${room.id}\`)
      socket.join(\`course:\${room.courseId}\`)
    }`,
      }),
    })
    const hooks = files.get(HOOKS)!
    expect(fn(hooks, 'channelsOf')).toBe([
      'const { userId } = user as ChatUser',
      'const channels: string[] = []',
      'for (const room of await getUserChatRooms(userId)) {',
      '  if (room.archived) continue',
      '  channels.push(roomChannel(room.id))',
      '  channels.push(`course:${room.courseId}`)',
      '}',
      'return channels',
    ].join('\n'))
    expect(fn(hooks, 'channelsForConnection')).toBe('return channelsOf(user)')
    expect(fn(hooks, 'canSubscribe')).toBe('return channel === userChannel(user.id) || (await channelsOf(user)).includes(channel)')
  })

  it('prints the connection logs only when a stream opens, never when canSubscribe checks a channel', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    const userId = socket.data.userId
    try {
      const rooms = await getUserChatRooms(userId)
      for (const room of rooms) {
        socket.join(\`room:\${room.id}\`)
        console.log(\`[Socket.IO] User \${userId} joined room \${room.id}\`)
      }
      if (rooms.length === 0) console.info('[Socket.IO] no rooms yet')
      rooms.forEach((room) => console.debug(room.id))
    } catch (error) {
      console.error('[Socket.IO] Could not load rooms:', error)
    }`,
      }),
    })
    const hooks = files.get(HOOKS)!
    expect(hooks).toContain('async function channelsOf(user: SSEUser, { log }: { log: boolean }): Promise<string[]> {')
    expect(fn(hooks, 'channelsOf')).toBe([
      'const { userId } = user as ChatUser',
      'const channels: string[] = []',
      'try {',
      '  const rooms = await getUserChatRooms(userId)',
      '  for (const room of rooms) {',
      '    channels.push(roomChannel(room.id))',
      '    if (log) console.log(`[SSE] User ${userId} joined room ${room.id}`)',
      '  }',
      `  if (rooms.length === 0) log && console.info('[SSE] no rooms yet')`,
      '  rooms.forEach((room) => log && console.debug(room.id))',
      '} catch (error) {',
      // A failed look-up is an error whoever asked, so it is still logged from canSubscribe.
      `  console.error('[SSE] Could not load rooms:', error)`,
      '}',
      'return channels',
    ].join('\n'))
    expect(fn(hooks, 'channelsForConnection')).toBe('return channelsOf(user, { log: true })')
    expect(fn(hooks, 'canSubscribe')).toBe('return channel === userChannel(user.id) || (await channelsOf(user, { log: false })).includes(channel)')
  })

  it('names the log flag so that it does not shadow a variable of the connection handler', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    const log = (text: string) => console.log(text)
    for (const roomId of await roomsOf(socket.data.userId)) {
      socket.join(\`room:\${roomId}\`)
      log(\`joined \${roomId}\`)
    }`,
      }),
    })
    const hooks = files.get(HOOKS)!
    expect(hooks).toContain('const log = (text: string) => log2 && console.log(text)')
    expect(fn(hooks, 'channelsForConnection')).toBe('return channelsOf(user, { log2: true })')
  })

  it('reads rooms from the handshake query on the stream request and flags them as client-chosen', async () => {
    const { files, kinds } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    const rooms = String(socket.handshake.query.rooms ?? '').split(',')
    for (const room of rooms) socket.join(room)`,
      }),
    })
    const hooks = files.get(HOOKS)!
    expect(hooks).toContain('export async function channelsForConnection(event: H3Event, _user: SSEUser): Promise<string[]> {')
    expect(fn(hooks, 'channelsForConnection')).toContain(`const rooms = String(getQuery(event).rooms ?? '').split(',')\nfor (const room of rooms) channels.push(room)`)
    expect(fn(hooks, 'canSubscribe')).toBe('return channel === userChannel(user.id)')
    expect(kinds).toContain('security handlers/client-chosen-channels')
  })
})

describe('emits to channels nothing joins', () => {
  const connection = (joins: string) => `    const userId = socket.data.userId as number
${joins}
    socket.on('add_note', (note: { boardId: string; text: string }) => {
      socket.to(\`board:\${note.boardId}\`).emit('note_added', note)
      socket.to(\`board:\${note.boardId}\`).emit('note_added', note)
      socket.to(\`user:\${userId}\`).emit('note_saved', note)
    })`

  it('are reported once per event and channel kind: the migrated route reaches nobody', async () => {
    const { followUps, files } = await migrate({ 'server/plugins/socket.io.ts': plugin({ middleware: tokenMiddleware, connection: connection('') }) })
    expect(files.has('server/api/chat/add-note.post.ts')).toBe(true)
    const reports = followUps.filter((f) => f.kind === 'handlers/channel-never-joined')
    expect(reports.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual(['server/plugins/socket.io.ts:21 warning'])
    expect(reports[0]!.reason).toContain('`note_added` to `board:…` channels')
  })

  it('are not reported when a handler or the connection joins that kind of channel', async () => {
    for (const joins of ["    socket.on('open_board', (boardId: string) => socket.join(`board:${boardId}`))", '    socket.join(`board:${userId}`)']) {
      const { followUps } = await migrate({ 'server/plugins/socket.io.ts': plugin({ middleware: tokenMiddleware, connection: connection(joins) }) })
      expect(followUps.filter((f) => f.kind === 'handlers/channel-never-joined'), joins).toEqual([])
    }
  })
})

describe('client-sent ids', () => {
  it('never turns a middleware that trusts a client-sent user id into authenticateSSE', async () => {
    const { files, kinds, deleted } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: `(socket, next) => {
    const userId = socket.handshake.query.userId
    if (!userId) return next(new Error('Who are you?'))
    socket.data.userId = userId
    next()
  }`,
        connection: `    socket.on('typing', (roomId: string) => socket.to(\`room:\${roomId}\`).emit('typing', roomId))`,
      }),
    })
    expect(files.has('server/utils/sse-hooks.ts')).toBe(false)
    expect(kinds).toEqual(expect.arrayContaining(['security auth/client-sent-id', 'warning handlers/not-transplantable']))
    expect(deleted).toEqual([])
  })
})

describe('authenticateSSE from a middleware that refuses inside its own try', () => {
  const middleware = `async (socket, next) => {
    try {
      const token = socket.handshake.auth.token || socket.handshake.headers.authorization?.replace('Bearer ', '')
      console.log('[Socket.IO] auth attempt', {
        hasToken: !!socket.handshake.auth.token,
        tokenPreview: token ? token.substring(0, 20) + '...' : 'none',
        origin: socket.handshake.headers.origin,
      })
      console.log('[Socket.IO] token', token)
      if (!token) {
        return next(new Error('Authentication error: No token provided'))
      }
      const payload = verifyAccessToken(token)
      const user = await findUser(payload.userId)
      if (!user) {
        return next(new Error('Authentication error: User not found'))
      }
      socket.data.user = user
      next()
    } catch (error: any) {
      console.error('[Socket.IO] auth failed:', error.message)
      next(new Error('Authentication error: Invalid token'))
    }
  }`

  it('keeps each refusal message: the catch lets the HTTP errors thrown in its try through', async () => {
    const { files } = await migrate({ 'server/plugins/socket.io.ts': plugin({ middleware, connection: '' }) })
    const body = fn(files.get(HOOKS)!, 'authenticateSSE')
    expect(body).toContain("throw createError({ statusCode: 401, message: 'Authentication error: No token provided' })")
    expect(body).toContain("throw createError({ statusCode: 401, message: 'Authentication error: User not found' })")
    expect(body).toContain([
      '} catch (error: any) {',
      '  if (isError(error)) throw error',
      "  console.error('[SSE] auth failed:', error.message)",
      "  throw createError({ statusCode: 401, message: 'Authentication error: Invalid token' })",
      '}',
    ].join('\n'))
  })

  it('prints whether a token came, never a piece of it', async () => {
    const { files } = await migrate({ 'server/plugins/socket.io.ts': plugin({ middleware, connection: '' }) })
    const body = fn(files.get(HOOKS)!, 'authenticateSSE')
    expect(body).toContain([
      "  console.log('[SSE] auth attempt', {",
      "    hasToken: !!getRequestHeader(event, 'authorization')?.replace(/^Bearer /, ''),",
      "    origin: getRequestHeader(event, 'origin'),",
      '  })',
    ].join('\n'))
    expect(body).not.toContain('substring')
    expect(body).not.toContain("'[SSE] token'")
  })
})
