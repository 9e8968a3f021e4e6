import { describe, expect, it } from 'vitest'
import { planEmit } from '../../src/analysis/server/emit-plan.js'
import { defaultConfig, type RoomRule } from '../../src/config/types.js'
import { analyseFiles } from './helpers.js'

const plugin = `import { Server } from 'socket.io'
export default defineNitroPlugin((nitroApp) => {
  nitroApp.io = new Server()
})
`

/** The SSE call (or the follow-up kind) planned for every emit of one route body. */
function plan(body: string, rules: readonly RoomRule[] = defaultConfig.rooms, file = 'server/api/x.post.ts'): string[] {
  const { model } = analyseFiles({
    'server/plugins/socket.io.ts': plugin,
    [file]: `export default defineEventHandler(async (event) => {
  const io = useNitroApp().io!
${body}
})
`,
  })
  return model.emits
    .filter((emit) => emit.file === file)
    .map((emit) => {
      const result = planEmit(emit, rules)
      if (!result.ok) return `report ${result.problem.kind}`
      return [result.text, ...result.cautions.map((caution) => caution.kind)].join(' + ')
    })
}

describe('emit rewriting plan', () => {
  it('maps room prefixes to helpers and keeps other rooms as channels', () => {
    expect(
      plan(`  io.to(\`room:\${id}\`).emit('a', 1)
  io.in('user:' + user.id).emit('b', 2)
  io.to('room:lobby').emit('c')
  io.to(\`room:\${a}-\${b}\`).emit('d', 4)
  io.to(\`course:\${id}\`).emit('e', 5)
  io.to(roomId.toString()).emit('f', 6)
  io.emit('g', 7)
  io.to(\`user:\${a ? b : c}\`).emit('h', 8)`),
    ).toEqual([
      "emitToRoom(id, 'a', 1)",
      "emitToUser(user.id, 'b', 2)",
      "emitToRoom('lobby', 'c')",
      "emitToRoom(`${a}-${b}`, 'd', 4)",
      "emitToChannel(`course:${id}`, 'e', 5)",
      "emitToChannel(roomId.toString(), 'f', 6)",
      "broadcast('g', 7)",
      "emitToUser((a ? b : c), 'h', 8)",
    ])
  })

  it('gives a helper an id it accepts where the template took a value that may be undefined', () => {
    const body = `  const roomId = getRouterParam(event, 'id')
  const other = getRouterParam(event, 'other')
  const token = getCookie(event, 'room')
  const typed: string = getRouterParam(event, 'id') ?? ''
  const asserted = getRouterParam(event, 'other')!
  io.to(\`room:\${roomId}\`).emit('a', 1)
  io.to(\`room:\${other}\`).emit('b', 2)
  io.to('user:' + token).emit('c', 3)
  io.to(\`user:\${user?.id}\`).emit('d', 4)
  io.to(\`room:\${getRouterParam(event, 'id')}\`).emit('e', 5)
  io.to(\`room:\${typed}\`).emit('f', 6)
  io.to(\`room:\${asserted}\`).emit('g', 7)`
    expect(plan(body, defaultConfig.rooms, 'server/api/rooms/[id]/close.post.ts')).toEqual([
      "emitToRoom(roomId!, 'a', 1)",
      "emitToRoom(String(other), 'b', 2)",
      "emitToUser(String(token), 'c', 3)",
      "emitToUser(String(user?.id), 'd', 4)",
      "emitToRoom(getRouterParam(event, 'id')!, 'e', 5)",
      "emitToRoom(typed, 'f', 6)",
      "emitToRoom(asserted, 'g', 7)",
    ])
  })

  it('turns unions into one call and socket-id excepts into the except option', () => {
    expect(
      plan(`  io.to(\`user:\${a}\`).to(\`user:\${b}\`).emit('a', 1)
  io.to([\`room:\${a}\`, 'course:1']).emit('b', 2)
  const rooms: string[] = []
  io.to(rooms).emit('c', 3)
  io.to(rooms).to('room:1').emit('d', 4)
  io.to(\`room:\${r}\`).except(socket.id).emit('e')
  io.except(senderSocketId).emit('f', 6)
  io.to(\`room:\${r}\`).except('user:1').emit('g', 7)
  io.to(getRooms()).emit('h', 8)
  io.to(getRooms()).to('room:1').emit('i', 9)`),
    ).toEqual([
      "emitToUser([a, b], 'a', 1)",
      "emitToChannel([roomChannel(a), 'course:1'], 'b', 2)",
      "emitToChannel(rooms, 'c', 3)",
      "emitToChannel([...rooms, roomChannel('1')], 'd', 4)",
      "emitToRoom(r, 'e', undefined, { except: socket.id })",
      "broadcast('f', 6, { except: senderSocketId }) + emit/except-stored-id",
      'report emit/except-room',
      "emitToChannel(getRooms(), 'h', 8)",
      'report emit/ambiguous-rooms',
    ])
  })

  it('migrates volatile (saying it now always delivers), compress and the default namespace, and reports forms without an SSE equivalent', () => {
    expect(
      plan(`  io.volatile.emit('a', 1)
  io.to('room:1').compress(true).emit('b', 2)
  io.of('/').emit('c', 3)
  io.sockets.emit('d', 4)
  io.local.emit('e', 5)
  io.timeout(10).emit('f', 6, () => {})
  await io.emitWithAck('g')
  await io.fetchSockets()
  io.socketsLeave('room:1')
  io.of('/admin').emit('h')
  io.emit('i', 1, 2)
  io.emit('j', 1, (answer: unknown) => answer)`),
    ).toEqual([
      "broadcast('a', 1) + emit/volatile-delivered",
      "emitToRoom('1', 'b', 2)",
      "broadcast('c', 3)",
      "broadcast('d', 4)",
      'report emit/local',
      'report emit/timeout-ack',
      'report emit/emitWithAck',
      'report emit/fetchSockets',
      'report emit/socketsLeave',
      'report emit/namespace',
      'report emit/multiple-arguments',
      'report emit/ack-callback',
    ])
  })

  it('uses configured prefixes: a custom room prefix becomes emitToRoom / roomChannel', () => {
    const rules: RoomRule[] = [
      { prefix: 'chat_', helper: 'emitToRoom' },
      { prefix: 'member-', helper: 'emitToUser' },
    ]
    expect(
      plan(`  io.to(\`chat_\${id}\`).emit('a', 1)
  io.to('member-' + uid).emit('b', 2)
  io.to(\`chat_\${id}\`).to(\`member-\${uid}\`).emit('c', 3)
  io.to(\`room:\${id}\`).emit('d', 4)
  io.to(threadRoom(id)).emit('e', 5)`, rules),
    ).toEqual([
      "emitToRoom(id, 'a', 1)",
      "emitToUser(uid, 'b', 2)",
      "emitToChannel([roomChannel(id), userChannel(uid)], 'c', 3)",
      "emitToChannel(`room:${id}`, 'd', 4)",
      "emitToChannel(threadRoom(id), 'e', 5) + emit/renamed-room-prefix",
    ])
  })
})
