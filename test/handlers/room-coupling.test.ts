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
    expect(reasons).toContain('emit/kept-on-socket-io server/api/rooms/[id]/close.post.ts: this emit stays on Socket.IO: it goes to rooms joined only by the `join_room` handler (it stays on Socket.IO), which no SSE stream can be subscribed to')
    expect(reasons).toContain('handlers/not-transplantable server/plugins/socket.io.ts: the `send_message` handler: has an emit that goes to rooms joined only by the `join_room` handler (it stays on Socket.IO), which no SSE stream can be subscribed to')
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

  it('keep their joins on Socket.IO when code staying there sends into them', async () => {
    const { files, followUps } = await migrate({
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('join_board', (boardId: number) => {
      socket.join(\`board:\${boardId}\`)
    })
    socket.on('board_updated', (boardId: number) => {
      if (socket.rooms.size > 20) return
      socket.to(\`board:\${boardId}\`).emit('board_changed', boardId)
    })
    socket.on('send_message', (payload: { roomId: number; text: string }) => {
      socket.to(\`user:\${payload.roomId}\`).emit('message', payload)
    })`,
      }),
    })
    // board_updated stays (it reads socket.rooms) and sends into board rooms: joined by a route, they would hold streams it never reaches.
    expect(files.has('server/api/chat/join-board.post.ts')).toBe(false)
    expect(files.get('server/plugins/socket.io.ts')).toContain("socket.join(`board:${boardId}`)")
    expect(files.has('server/api/chat/send-message.post.ts')).toBe(true)
    const reasons = followUps.filter((f) => f.kind === 'handlers/not-transplantable').map((f) => f.reason)
    expect(reasons).toContain('the `join_board` handler: joins rooms that the `board_updated` handler (it stays on Socket.IO) sends into on Socket.IO, so the join stays there with it')
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

describe('rooms named by a socket id', () => {
  it('keep the emits into them on Socket.IO, with the handlers that store the ids, while the rest moves', async () => {
    const { files, followUps } = await migrate({
      'server/utils/online.ts': 'export const online = new Map<number, string>()\nexport const byName: Record<string, string> = {}\n',
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('hello', () => {
      online.set(socket.data.userId, socket.id)
    })
    socket.on('named', (name: string) => {
      byName[name] = socket.id
    })
    socket.on('poke', (to: number) => {
      const target = online.get(to)
      if (target) io.to(target).emit('poked', { from: socket.data.userId })
    })
    socket.on('wink', (name: string) => {
      io.to(byName[name]!).emit('winked', { from: socket.data.userId })
    })
    socket.on('echo', (text: string) => {
      io.to(socket.id).emit('echoed', text)
    })
    socket.on('wave', (to: number) => {
      socket.to(\`user:\${to}\`).emit('waved', { from: socket.data.userId })
    })`,
      }),
    })
    for (const event of ['hello', 'named', 'poke', 'wink', 'echo']) expect(files.has(`server/api/chat/${event}.post.ts`), event).toBe(false)
    expect(files.has('server/api/chat/wave.post.ts'), 'a user channel every stream joins').toBe(true)
    const plugin_ = files.get('server/plugins/socket.io.ts') ?? ''
    expect(plugin_).toContain("if (target) io.to(target).emit('poked', { from: socket.data.userId })")
    expect(plugin_).toContain("io.to(socket.id).emit('echoed', text)")
    const reasons = followUps.filter((f) => f.severity !== 'info').map((f) => `${f.kind}: ${f.reason}`)
    expect(reasons).toContain('emit/kept-on-socket-io: this emit stays on Socket.IO: it goes to a room named by a Socket.IO socket id (read from `online`), which no SSE connection is in')
    expect(reasons).toContain('emit/kept-on-socket-io: this emit stays on Socket.IO: it goes to a room named by a Socket.IO socket id (read from `byName`), which no SSE connection is in')
    expect(reasons).toContain('emit/kept-on-socket-io: this emit stays on Socket.IO: it goes to a room named by a Socket.IO socket id (`socket.id`), which no SSE connection is in')
    expect(reasons).toContain('handlers/not-transplantable: the `hello` handler: stores its socket id where an emit that stays on Socket.IO reads it as a room; a route would store an SSE connection id there')
  })
})

describe('events that browser code on an unrecognised socket sends or hears', () => {
  const page = (script: string) => `<script>\nexport default {\n  methods: {\n${script}\n  },\n}\n</script>\n<template><div /></template>\n`
  const server = plugin({
    middleware: tokenMiddleware,
    connection: `    socket.on('shout', (text: string) => {
      io.emit('shouted', text)
    })
    socket.on('wave', (to: number) => {
      socket.to(\`user:\${to}\`).emit('waved', { from: socket.data.userId })
    })`,
  })

  it('stay on Socket.IO, handler and emit, when the page makes its socket with a global io()', async () => {
    const { files, followUps } = await migrate({
      'server/plugins/socket.io.ts': server,
      'app/pages/lobby.vue': page(`    open() {\n      this.socket = io('ws://localhost:3000')\n      this.socket.on('shouted', (text) => console.log(text))\n    },\n    shout(text) {\n      this.socket.emit('shout', text)\n    },`),
    })
    expect(files.has('server/api/chat/shout.post.ts')).toBe(false)
    expect(files.has('server/api/chat/wave.post.ts')).toBe(true)
    expect(files.get('server/plugins/socket.io.ts')).toContain("io.emit('shouted', text)")
    const reasons = followUps.map((f) => `${f.kind}: ${f.reason}`)
    expect(reasons).toContain('handlers/not-transplantable: the `shout` handler: is sent by app/pages/lobby.vue:9 over a socket the tool does not recognise, which stays on Socket.IO')
    expect(reasons).toContain('emit/kept-on-socket-io: this emit stays on Socket.IO: it sends `shouted`, which app/pages/lobby.vue:6 hears on a socket the tool does not recognise (it stays on Socket.IO)')
  })

  it('move when the calls are on something the page did not make as a socket', async () => {
    const { files } = await migrate({
      'server/plugins/socket.io.ts': server,
      'app/pages/lobby.vue': page(`    open() {\n      const bus = useBus()\n      bus.on('shouted', (text) => console.log(text))\n      bus.emit('shout', 'hi')\n    },`),
    })
    expect(files.has('server/api/chat/shout.post.ts')).toBe(true)
  })
})
