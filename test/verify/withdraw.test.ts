import { readFileSync } from 'node:fs'
import path from 'node:path'
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

/** The app's plugin with one more handler, written before `send_message`. */
const pluginWith = (handler: string) => APP['server/plugins/socket.io.ts'].replace("    socket.on('send_message',", `${handler}    socket.on('send_message',`)

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
      'server/plugins/socket.io.ts': pluginWith("    socket.on('move', (payload: { x: number }) => {\n      socket.broadcast.emit('moved', payload)\n    })\n"),
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

const changedPaths = (plan: Awaited<ReturnType<typeof planMigration>>) => plan.changes.map((c) => c.path)
const textOf = (plan: Awaited<ReturnType<typeof planMigration>>, path: string) => {
  const change = plan.changes.find((c) => c.path === path)
  return change?.kind === 'update' || change?.kind === 'create' ? change.text : undefined
}
const dirText = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8')

describe('verify: browser code whose events are already back on Socket.IO, or that has none', () => {
  it('keeps its socket as it was: the module providing it and every file using it stay byte for byte, their events with them, and the rest moves', async () => {
    const dir = writeRepo({
      ...APP,
      'server/plugins/socket.io.ts': pluginWith("    socket.on('here', (payload: { roomId: number }) => {\n      socket.broadcast.emit('presence', payload)\n    })\n"),
      // The status socket: a module creates it, a page reads its Manager and has no events of its own.
      'app/utils/status-socket.ts': `import { io } from 'socket.io-client'
export const statusSocket = io({ auth: { token: useCookie('token').value } })
export function announce(roomId: number) {
  statusSocket.emit('here', { roomId })
}
statusSocket.on('presence', (payload: { roomId: number }) => console.log(payload.roomId))
`,
      'app/pages/status.vue': `<script setup lang="ts">
import { statusSocket } from '~/utils/status-socket'
const transport = ref(statusSocket.io.engine.transport.name)
</script>

<template>
  <p>{{ transport }}</p>
</template>
`,
    })
    const plan = await planMigration(dir)
    const paths = changedPaths(plan)
    expect(paths).not.toContain('app/utils/status-socket.ts')
    expect(paths).not.toContain('app/pages/status.vue')
    expect(paths).not.toContain('server/api/chat/here.post.ts')
    expect(textOf(plan, 'server/plugins/socket.io.ts')).toContain("socket.on('here', (payload: { roomId: number }) => {\n      socket.broadcast.emit('presence', payload)")
    // The room chat has a socket of its own and moves.
    expect(paths).toContain('server/api/chat/send-message.post.ts')
    expect(textOf(plan, 'app/composables/useRoom.ts')).toContain("socket.send('/api/chat/send-message', { roomId, text })")
    const stays = plan.followUps.filter((f) => f.kind === 'client/socket-stays')
    expect(stays.map((f) => f.file).sort()).toEqual(['app/pages/status.vue', 'app/utils/status-socket.ts'])
    expect(stays[0]?.reason).toMatch(/app\/pages\/status\.vue:3:\d+: type error TS2339: Property 'io' does not exist on type 'ChatSSE'/)
    const here = plan.followUps.find((f) => f.kind === 'handlers/not-transplantable' && f.reason.includes('`here`'))
    expect(here?.reason).toContain('app/utils/status-socket.ts keeps its socket as it was')
    expect(plan.followUps.some((f) => f.kind.startsWith('verify/'))).toBe(false)
  })

  it('follows a socket a module exports into the files importing it: their calls move with it, or stay with it when it stays', async () => {
    const files = (board: string) => ({
      ...APP,
      'server/plugins/socket.io.ts': pluginWith("    socket.on('join_board', (payload: { boardId: number }) => {\n      socket.join(`board:${payload.boardId}`)\n    })\n"),
      // A module that only creates the socket; a component imports it as a value and talks on it.
      'app/lib/board-socket.ts': "import { io } from 'socket.io-client'\n\nexport const boardSocket = io()\n",
      'app/components/Board.vue': board,
    })
    const board = `<script setup lang="ts">
import { boardSocket as socket } from '~/lib/board-socket'
const props = defineProps<{ boardId: number }>()
onMounted(() => {
  socket.emit('join_board', { boardId: props.boardId })
})
</script>

<template>
  <div />
</template>
`
    const moved = await planMigration(writeRepo(files(board)))
    expect(textOf(moved, 'app/lib/board-socket.ts')).toContain('useChatSSE(')
    expect(textOf(moved, 'app/components/Board.vue')).toContain("socket.post('/api/chat/join-board', { boardId: props.boardId })")
    expect(changedPaths(moved)).toContain('server/api/chat/join-board.post.ts')

    // The component reads the Manager too: the socket stays, and the component's event with it.
    const dir = writeRepo(files(board.replace('onMounted(() => {', 'const transport = socket.io.engine.transport.name\nonMounted(() => {')))
    const kept = await planMigration(dir)
    const paths = changedPaths(kept)
    expect(paths).not.toContain('app/components/Board.vue')
    expect(paths).not.toContain('app/lib/board-socket.ts')
    expect(paths).not.toContain('server/api/chat/join-board.post.ts')
    expect(textOf(kept, 'server/plugins/socket.io.ts') ?? dirText(dir, 'server/plugins/socket.io.ts')).toContain("socket.on('join_board'")
    expect(paths).toContain('server/api/chat/send-message.post.ts')
  })

  it('keeps an event on Socket.IO while browser code the analysis did not follow still emits it there', async () => {
    const dir = writeRepo({
      ...APP,
      'server/plugins/socket.io.ts': pluginWith("    socket.on('join_board', (payload: { boardId: number }) => {\n      socket.join(`board:${payload.boardId}`)\n    })\n"),
      // The socket reaches the component through a window property, which the analysis does not follow.
      'app/plugins/board-socket.client.ts': "import { io } from 'socket.io-client'\n\nexport default defineNuxtPlugin(() => {\n  ;(window as any).boardSocket = io()\n})\n",
      'app/components/Board.vue': `<script setup lang="ts">
const props = defineProps<{ boardId: number }>()
onMounted(() => {
  ;(window as any).boardSocket.emit('join_board', { boardId: props.boardId })
})
</script>

<template>
  <div />
</template>
`,
    })
    const plan = await planMigration(dir)
    const paths = changedPaths(plan)
    expect(paths).not.toContain('app/components/Board.vue')
    expect(paths).not.toContain('server/api/chat/join-board.post.ts')
    expect(textOf(plan, 'server/plugins/socket.io.ts') ?? dirText(dir, 'server/plugins/socket.io.ts')).toContain("socket.on('join_board'")
    const stays = plan.followUps.find((f) => f.reason.includes('`join_board`') && f.kind === 'handlers/not-transplantable')
    expect(stays?.reason).toContain('app/components/Board.vue:4')
  })

  it('does not take for browser code a Socket.IO server of its own beside the app', async () => {
    const plan = await planMigration(writeRepo({
      ...APP,
      'backend/relay.ts': "import { Server } from 'socket.io'\n\nconst relay = new Server(4001)\nrelay.on('connection', (socket) => socket.emit('send_message', { roomId: 1, text: 'hi' }))\n",
    }))
    expect(changedPaths(plan)).toContain('server/api/chat/send-message.post.ts')
    expect(plan.followUps.some((f) => f.reason.includes('still emits it'))).toBe(false)
  })

  it('a type error in browser code (not a generated route) takes that file\'s events back to Socket.IO instead of stopping the run', async () => {
    const dir = writeRepo({
      ...APP,
      'server/plugins/socket.io.ts': pluginWith("    socket.on('move', (payload: { x: number }) => {\n      socket.broadcast.emit('moved', payload)\n    })\n"),
      'app/stores/game.ts': `import { io } from 'socket.io-client'
const socket = io({ auth: { token: useCookie('token').value } })
export function useGame() {
  socket.on('moved', (move: { x: number }) => console.log(move.x))
  const move = (x: number) => socket.emit('move', { x })
  return { move }
}
`,
    })
    // Stands for a transform bug that only the type check sees: once `move` is posted to its route,
    // it adds code that takes what the handle's onOpen returns for a number.
    const typeErrorWhenMoved: Transform = {
      id: 'test-type-error-when-moved',
      title: 'test: a type error in a migrated client file',
      run(ctx) {
        const file = 'app/stores/game.ts'
        const text = ctx.changes.currentText(file)
        if (text?.includes("'/api/chat/move'")) ctx.changes.write(file, `${text}export const opened: number = socket.onOpen(() => {})\n`, text, { transform: 'test-type-error-when-moved', reason: 'test' })
      },
    }
    const plan = await planMigration(dir, { transforms: [...registered, typeErrorWhenMoved] })
    const paths = changedPaths(plan)
    expect(paths).not.toContain('server/api/chat/move.post.ts')
    expect(paths).toContain('server/api/chat/send-message.post.ts')
    expect(textOf(plan, 'app/stores/game.ts')).toContain("events: ['move', 'moved']")
    expect(textOf(plan, 'server/plugins/socket.io.ts')).toContain("socket.broadcast.emit('moved', payload)")
    const move = plan.followUps.find((f) => f.kind === 'handlers/not-transplantable' && f.reason.includes('`move`'))
    expect(move?.reason).toMatch(/app\/stores\/game\.ts: type error TS2322: Type '\(\) => void' is not assignable to type 'number'/)
    expect(plan.followUps.some((f) => f.kind.startsWith('verify/'))).toBe(false)
  })

  it('a listener taking more arguments than an SSE event carries keeps its socket, found by the analysis and named at file:line', async () => {
    const dir = writeRepo({
      ...APP,
      'server/plugins/socket.io.ts': pluginWith("    socket.on('move', (x: number, y: number) => {\n      socket.broadcast.emit('moved', x, y)\n    })\n"),
      'app/components/Board.vue': `<script setup lang="ts">
import { io } from 'socket.io-client'
const socket = io({ auth: { token: useCookie('token').value } })
const last = ref('')
socket.on('moved', (x: number, y: number) => {
  last.value = \`\${x},\${y}\`
})
const move = (x: number, y: number) => socket.emit('move', x, y)
</script>

<template>
  <button @click="move(1, 2)">{{ last }}</button>
</template>
`,
    })
    const verbose: string[] = []
    const plan = await planMigration(dir, { verbose: (message) => verbose.push(message) })
    const paths = changedPaths(plan)
    expect(paths).not.toContain('app/components/Board.vue')
    expect(paths).not.toContain('server/api/chat/move.post.ts')
    expect(textOf(plan, 'server/plugins/socket.io.ts')).toContain("socket.broadcast.emit('moved', x, y)")
    expect(textOf(plan, 'app/composables/useRoom.ts')).toContain("socket.send('/api/chat/send-message', { roomId, text })")
    const stays = plan.followUps.find((f) => f.kind === 'client/socket-stays')
    expect(`${stays?.file}:${stays?.line}`).toBe('app/components/Board.vue:2')
    expect(stays?.reason).toContain('app/components/Board.vue:5:1: the `moved` listener takes 2 arguments, and an SSE event carries one data value')
    // Found before any transform ran: no verify pass had to find the type error first.
    expect(verbose.filter((line) => line.startsWith('verify: withdrawing') || line.startsWith('verify: ') && line.includes('planning again'))).toEqual([])
    expect(plan.followUps.some((f) => f.kind.startsWith('verify/'))).toBe(false)
  })
})
