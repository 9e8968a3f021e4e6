import { describe, expect, it } from 'vitest'
import { roomKind } from '../../src/analysis/handlers/room-coupling.js'
import { analyseFiles } from '../server/helpers.js'
import { migrate, plugin, tokenMiddleware } from './helpers.js'

/** A handler that cannot move (it reads `socket.rooms`) and joins rooms named by the client. */
const keptJoin = `    socket.on('join_room', (roomId: string) => {
      if (socket.rooms.size > 20) return
      socket.join(roomId)
    })`

describe('rooms only code staying on Socket.IO joins', () => {
  it('keep the emits into them on Socket.IO, in routes and in handlers, while emits into rooms a stream can join move', async () => {
    const { files, followUps } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `${keptJoin}
    socket.on('send_message', (payload: { roomId: string; text: string }) => {
      socket.to(payload.roomId).emit('message', payload)
    })
    socket.on('wave', (payload: { to: number }) => {
      socket.to(\`user:\${payload.to}\`).emit('waved', { from: socket.data.userId })
    })`,
      }),
      'server/api/rooms/[id]/close.post.ts': `export default defineEventHandler((event) => {
  const roomId = getRouterParam(event, 'id')!
  useNitroApp().io!.to(roomId).emit('room_closed', { roomId })
  useNitroApp().io!.to(\`user:\${roomId}\`).emit('owner_notice', { roomId })
  return { closed: true }
})
`,
    })
    expect(files.has('server/api/chat/send-message.post.ts'), 'its emit goes to rooms only Socket.IO has').toBe(false)
    expect(files.has('server/api/chat/wave.post.ts'), 'a user channel every stream joins').toBe(true)
    const route = files.get('server/api/rooms/[id]/close.post.ts')!
    expect(route).toContain("useNitroApp().io!.to(roomId).emit('room_closed', { roomId })")
    expect(route).toContain("emitToUser(roomId, 'owner_notice', { roomId })")
    const reasons = followUps.filter((f) => f.severity !== 'info').map((f) => `${f.kind} ${f.file}: ${f.reason}`)
    expect(reasons).toContain('emit/kept-on-socket-io server/api/rooms/[id]/close.post.ts: emits to rooms joined only by the `join_room` handler (it stays on Socket.IO): no SSE stream is subscribed to them, so this emit stays on Socket.IO')
    expect(reasons).toContain('handlers/not-transplantable server/plugins/socket.io.ts: the `send_message` handler: emits to rooms joined only by the `join_room` handler (it stays on Socket.IO), which no SSE stream can be subscribed to')
  })

  it('move once a handler that can move joins the same kind of room', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `${keptJoin}
    socket.on('open_room', (roomId: string) => {
      socket.join(roomId)
    })
    socket.on('send_message', (payload: { roomId: string; text: string }) => {
      socket.to(payload.roomId).emit('message', payload)
    })`,
      }),
    })
    expect(files.has('server/api/chat/send-message.post.ts')).toBe(true)
  })

  it('are told apart by the literal prefix of their names', () => {
    const { model } = analyseFiles({
      'server/plugins/socket.io.ts': `import { Server } from 'socket.io'\nexport default defineNitroPlugin((nitroApp) => { nitroApp.io = new Server() })\n`,
      'server/api/x.post.ts': `export default defineEventHandler(() => {
  const io = useNitroApp().io!
  io.to(\`room:\${a}\`).emit('a')
  io.to('lobby').emit('b')
  io.to('user:' + id).emit('c')
  io.to(roomId).emit('d')
  io.to(\`\${a}-\${b}\`).emit('e')
})
`,
    })
    expect(model.emits.map((site) => roomKind(site.rooms[0]!))).toEqual(['room:', 'lobby', 'user:', '*', '*'])
  })
})
