import { describe, expect, it } from 'vitest'
import { planMigration } from '../../src/plan.js'
import type { Transform } from '../../src/transform.js'
import { transforms as registered } from '../../transforms/index.js'
import { writeRepo } from '../helpers/repo.js'

const PACKAGE_JSON = `${JSON.stringify({ name: 'app', private: true, dependencies: { nuxt: '^4.4.5', 'socket.io': '^4.8.1', 'socket.io-client': '^4.8.1' } }, null, 2)}\n`

const APP = {
  'package.json': PACKAGE_JSON,
  'nuxt.config.ts': 'export default defineNuxtConfig({})\n',
  'server/plugins/socket.io.ts': `import { Server } from 'socket.io'
export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  nitroApp.io = io
  io.use(async (socket, next) => {
    const token = socket.handshake.auth.token as string | undefined
    if (!token) return next(new Error('Authentication token required'))
    socket.data.user = await verifyToken(token)
    next()
  })
  io.on('connection', (socket) => {
    socket.on('typing', (payload: { roomId: number }) => {
      socket.to(\`room:\${payload.roomId}\`).emit('typing', payload)
    })
    socket.on('send_message', (payload: { roomId: number; text: string }) => {
      socket.to(\`room:\${payload.roomId}\`).emit('new_message', payload)
    })
  })
})
`,
  'app/composables/useRoom.ts': `import { io } from 'socket.io-client'
export function useRoom(roomId: number) {
  const socket = io({ auth: { token: useCookie('token').value } })
  socket.on('new_message', (message: { text: string }) => console.log(message.text))
  const send = (text: string) => socket.emit('send_message', { roomId, text })
  const type = () => socket.emit('typing', { roomId })
  return { send, type }
}
`,
}

/** Stands for a transform bug: it leaves a name nothing declares in the route generated for `send_message`. */
const breakSendRoute: Transform = {
  id: 'test-break-send-route',
  title: 'test: leave an undeclared name in the send_message route',
  run(ctx) {
    const file = 'server/api/chat/send-message.post.ts'
    const text = ctx.changes.currentText(file)
    if (text !== undefined) ctx.changes.write(file, `${text}\nvoid missingHelper()\n`, text, { transform: 'test-break-send-route', reason: 'test' })
  },
}

describe('verify: a generated route that would not run', () => {
  it('is withdrawn: its event stays on Socket.IO, reported, and the rest of the plan moves', async () => {
    const plan = await planMigration(writeRepo(APP), { transforms: [...registered, breakSendRoute] })
    const paths = plan.changes.map((c) => c.path)
    expect(paths).not.toContain('server/api/chat/send-message.post.ts')
    expect(paths).toContain('server/api/chat/typing.post.ts')
    const blocker = plan.followUps.find((f) => f.kind === 'handlers/withdrawn' && f.reason.includes('send_message'))
    expect(blocker?.severity).toBe('error')
    expect(blocker?.reason).toContain('the route generated for it would not run (server/api/chat/send-message.post.ts:')
    expect(blocker?.reason).toContain('`missingHelper`')
    const room = plan.changes.find((c) => c.path === 'app/composables/useRoom.ts')
    const text = room?.kind === 'update' ? room.text : ''
    expect(text).toContain("events: ['send_message', 'new_message']")
    expect(text).toContain("socket.emit('send_message', { roomId, text })")
    expect(text).toContain("const type = () => socket.send('/api/chat/typing', { roomId })")
    expect(plan.followUps.some((f) => f.kind.startsWith('verify/'))).toBe(false)
  })

  it('is withdrawn too when the handler transform could not write it, so the client never posts to a route that is not there', async () => {
    const dir = writeRepo({
      ...APP,
      // The middleware's check has no HTTP equivalent, so it cannot become authenticateSSE, and a
      // handler reading the user it stored finds that out only while its route is written.
      'server/plugins/socket.io.ts': `import { Server } from 'socket.io'
export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  nitroApp.io = io
  io.use(async (socket, next) => {
    if (socket.handshake.address === '10.0.0.1') return next(new Error('Blocked'))
    socket.data.user = await verifyToken(socket.handshake.auth.token as string)
    next()
  })
  io.on('connection', (socket) => {
    socket.on('typing', (payload: { roomId: number }) => {
      socket.to(\`room:\${payload.roomId}\`).emit('typing', payload)
    })
    socket.on('send_message', (payload: { roomId: number; text: string }) => {
      socket.to(\`room:\${payload.roomId}\`).emit('new_message', { ...payload, from: socket.data.user.name })
    })
  })
})
`,
    })
    const plan = await planMigration(dir)
    expect(plan.changes.map((c) => c.path)).not.toContain('server/api/chat/send-message.post.ts')
    const room = plan.changes.find((c) => c.path === 'app/composables/useRoom.ts')
    const text = room?.kind === 'update' ? room.text : ''
    expect(text).not.toContain('/api/chat/send-message')
    expect(text).toContain("socket.emit('send_message', { roomId, text })")
    expect(text).toMatch(/events: \[[^\]]*'send_message'/)
  })

  it('stops the run as before when a finding lies outside the generated routes', async () => {
    const breakClient: Transform = {
      id: 'test-break-client',
      title: 'test: leave an undeclared name in a client file',
      run(ctx) {
        const file = 'app/composables/useRoom.ts'
        const text = ctx.changes.currentText(file)!
        ctx.changes.write(file, `${text}\nvoid missingHelper()\n`, text, { transform: 'test-break-client', reason: 'test' })
      },
    }
    await expect(planMigration(writeRepo(APP), { transforms: [...registered, breakClient] })).rejects.toThrow(/app\/composables\/useRoom\.ts:\d+:\d+: `missingHelper`/)
  })
})

describe('verify: browser code that cannot move onto the stream', () => {
  it('takes its events back to Socket.IO, handler and emits with them, while the rest of the app moves', async () => {
    const dir = writeRepo({
      ...APP,
      'server/plugins/socket.io.ts': APP['server/plugins/socket.io.ts'].replace(
        "    socket.on('send_message',",
        "    socket.on('move', (payload: { x: number }) => {\n      socket.broadcast.emit('moved', payload)\n    })\n    socket.on('send_message',",
      ),
      'app/stores/game.ts': `import { io } from 'socket.io-client'
export function useGame() {
  const socket = io({ auth: { token: useCookie('token').value } })
  socket.on('moved', (move: { x: number }) => console.log(move.x))
  const move = (x: number, y: number) => socket.emit('move', x, y)
  return { move }
}
`,
    })
    const plan = await planMigration(dir)
    const paths = plan.changes.map((c) => c.path)
    expect(paths).toContain('server/api/chat/send-message.post.ts')
    expect(paths).not.toContain('server/api/chat/move.post.ts')
    const text = (path: string) => {
      const change = plan.changes.find((c) => c.path === path)
      return change?.kind === 'update' ? change.text : ''
    }
    expect(text('server/plugins/socket.io.ts')).toContain("socket.broadcast.emit('moved', payload)")
    expect(text('app/stores/game.ts')).toContain("events: ['move', 'moved']")
    expect(text('app/stores/game.ts')).toContain("socket.emit('move', x, y)")
    expect(text('app/composables/useRoom.ts')).toContain("socket.send('/api/chat/send-message', { roomId, text })")
    const move = plan.followUps.find((f) => f.kind === 'handlers/not-transplantable' && f.reason.includes('`move`'))
    expect(move?.reason).toContain('stays on Socket.IO with the browser code that sends it: app/stores/game.ts: `socket.emit`: the SSE handle from useChatSSE() has no `emit`')
    expect(move?.severity).toBe('warning')
  })
})
