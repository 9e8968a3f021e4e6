import { afterEach, describe, expect, it } from 'vitest'
import type { JsonReport } from '../../src/report/json.js'
import type { Transform } from '../../src/transform.js'
import { findUnrunnableCode } from '../../src/verify/runnable.js'
import { runInProcess, tempDir } from '../helpers/cli.js'
import { diffTrees, readTree } from '../helpers/tree.js'
import { writeSocketApp } from '../bad-input/setup.js'
import { planMigration } from '../../src/plan.js'
import { writeRepo } from '../server/helpers.js'

let cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups) cleanup()
  cleanups = []
})
function temp(): string {
  const t = tempDir('tsm-verify-')
  cleanups.push(t.cleanup)
  return t.dir
}

const meta = [{ transform: 'client', reason: 'test' }]
const noRepo = { files: [], readText: () => undefined }

/** A test-only transform that writes one file (created or replaced) with a given text. */
function write(file: string, text: string): Transform {
  return {
    id: 'write-file',
    title: 'test: write a file',
    run(ctx) {
      const before = ctx.changes.currentText(file)
      if (before === undefined) ctx.changes.create(file, text, { transform: 'write-file', reason: 'test' })
      else ctx.changes.write(file, text, before, { transform: 'write-file', reason: 'test' })
    },
  }
}

const PACKAGE_JSON = JSON.stringify({ dependencies: { nuxt: '^4.0.0', 'socket.io': '^4.8.1', 'socket.io-client': '^4.8.1' } })

/** A server whose `rooms` handler cannot move (it reads `socket.rooms`): the plugin stays for it. */
const withKeptRoomsHandler = {
  'package.json': PACKAGE_JSON,
  'server/plugins/socket.io.ts': `import { Server } from 'socket.io'
export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  io.on('connection', (socket) => {
    socket.on('rooms', () => socket.emit('rooms', [...socket.rooms]))
  })
})
`,
}

describe('verify: what the plan writes can run', () => {
  it('finds a name the migration left undeclared (an io whose import went), not one the file already lacked or the app auto-imports', () => {
    const before = `import { Server } from 'socket.io'\nconst io = new Server()\nexport default defineEventHandler(() => { io.emit('a'); return legacyGlobal })\n`
    const text = `export default defineEventHandler(() => { io.emit('a'); return legacyGlobal + formatDate(now()) })\n`
    const repo = { files: ['server/utils/dates.ts'], readText: () => 'export function formatDate() {}\nexport const now = () => 1\n' }
    const findings = findUnrunnableCode([{ kind: 'update', path: 'server/api/a.post.ts', before, text, meta }], repo)
    expect(findings.map((f) => `${f.kind} ${f.path}:${f.line}:${f.column} ${f.code}`)).toEqual(['verify/undeclared-name server/api/a.post.ts:1:43 io'])
  })

  it('finds members the SSE handle lacks, held in a variable, a ref or destructured, in .vue scripts too', () => {
    const vue = `<template><p /></template>\n<script setup lang="ts">\nconst socket = useChatSSE()\nsocket.connect()\nsocket.emit('join', 1)\n</script>\n`
    const composable = `export function useRoom() {\n  const holder = shallowRef()\n  holder.value = useChatSSE()\n  holder.value?.io.on('reconnect', () => {})\n  const { on, volatile } = useChatSSE()\n  on('x', () => volatile)\n}\n`
    const findings = findUnrunnableCode([
      { kind: 'create', path: 'app/components/Room.vue', text: vue, meta },
      { kind: 'create', path: 'app/composables/useRoom.ts', text: composable, meta },
    ], noRepo, ['useChatSSE'])
    expect(findings.map((f) => `${f.path}:${f.line} ${f.code}`)).toEqual([
      'app/components/Room.vue:5 socket.emit',
      'app/composables/useRoom.ts:4 holder.value.io',
      'app/composables/useRoom.ts:5 { volatile } = useChatSSE()',
    ])
  })

  it('stops a plan that leaves socket.emit on the SSE handle: exit 3, nothing written; --force keeps it, listing the place', async () => {
    const root = temp()
    writeSocketApp(root)
    const before = readTree(root)
    const broken = write('app/composables/useChat.ts', `export const useChat = () => {\n  const socket = useChatSSE()\n  socket.emit('hello')\n}\n`)
    const result = await runInProcess([root, '--no-install', '--allow-dirty'], { transforms: [broken] })
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toContain('app/composables/useChat.ts:3:3: `socket.emit`: the SSE handle from useChatSSE() has no `emit` (edited by write-file)')
    expect(diffTrees(readTree(root), before), 'the tree must be byte-identical').toBe('')

    const forced = await runInProcess([root, '--dry-run', '--force', '--json'], { transforms: [broken] })
    expect(forced.exitCode).toBe(0)
    const report = JSON.parse(forced.stdout) as JsonReport
    expect(report.followUps.map((f) => `${f.kind} ${f.file}:${f.line} ${f.severity}`)).toEqual(['verify/missing-member app/composables/useChat.ts:3 warning'])
    const check = await runInProcess([root, '--check', '--force'], { transforms: [broken] })
    expect(check.exitCode).toBe(1)
  })

  it('leaves a client whose only event stays on Socket.IO exactly as it was, and says why', async () => {
    const dir = writeRepo({
      ...withKeptRoomsHandler,
      'app/composables/useRooms.ts': `import { io } from 'socket.io-client'
export const useRooms = () => {
  const socket = io()
  socket.emit('rooms')
  return socket
}
`,
    })
    const plan = await planMigration(dir)
    expect(plan.changes.map((c) => c.path), 'its only event stays, so the client is left exactly as it was').not.toContain('app/composables/useRooms.ts')
    const kept = plan.followUps.find((f) => f.kind === 'client/socket-kept')
    expect(kept?.reason).toContain('`rooms` (its server handler stays: it uses `socket.rooms`')
    expect(plan.followUps.map((f) => f.kind)).not.toContain('verify/missing-member')
  })

  it('leaves a provided socket whose only event stays exactly as it was, however its users reach it', async () => {
    const dir = writeRepo({
      ...withKeptRoomsHandler,
      'app/plugins/socket.client.ts': `import { io } from 'socket.io-client'
export default defineNuxtPlugin(() => {
  const socket = io()
  return { provide: { socket } }
})
`,
      'app/composables/useRealtime.ts': `export const useRealtime = () => {
  const { $socket } = useNuxtApp()
  const socket = $socket || fallbackSocket()
  return { socket }
}
`,
      'app/pages/rooms.vue': `<script setup lang="ts">
const { socket } = useRealtime()
onMounted(() => socket.emit('rooms'))
</script>
`,
    })
    const plan = await planMigration(dir)
    expect(plan.changes.map((c) => c.path), 'its only event stays, so the plugin is left exactly as it was').not.toContain('app/plugins/socket.client.ts')
    expect(plan.changes.map((c) => c.path)).not.toContain('app/pages/rooms.vue')
  })

  it('keeps the socket connected beside the stream while a disconnect handler that does work stays', async () => {
    const dir = writeRepo({
      'package.json': PACKAGE_JSON,
      'server/plugins/socket.io.ts': `import { Server } from 'socket.io'
export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  nitroApp.io = io
  io.on('connection', (socket) => {
    socket.on('disconnect', () => markOffline(socket.handshake.auth.token))
  })
})
`,
      'app/composables/useFeed.ts': `import { io } from 'socket.io-client'
export const useFeed = () => {
  const socket = io()
  socket.on('post', (post: unknown) => console.log(post))
  return socket
}
`,
    })
    const plan = await planMigration(dir)
    const feed = plan.changes.find((c) => c.path === 'app/composables/useFeed.ts')
    expect(feed?.kind === 'update' && feed.text).toContain('const socket = useChatSSE({ socketIO: { socket: io(), events: [] } })')
    expect(plan.followUps.find((f) => f.kind === 'client/socket-kept')?.reason).toBe("the socket stays beside the SSE stream, connected because the server's `disconnect` handler, which stays, runs when the socket goes away")
  })

  it('keeps the client on Socket.IO, as it was, while server code uses io in a way nobody can tell the events of', async () => {
    const dir = writeRepo({
      'package.json': PACKAGE_JSON,
      'server/plugins/socket.io.ts': `import { Server } from 'socket.io'
export default defineNitroPlugin((nitroApp) => {
  nitroApp.io = new Server()
})
`,
      'server/api/digest.post.ts': `export default defineEventHandler(() => sendDigest(useNitroApp().io!))
`,
      'app/composables/useFeed.ts': `import { io } from 'socket.io-client'
export const useFeed = () => {
  const socket = io()
  socket.on('post', (post: unknown) => console.log(post))
  return socket
}
`,
    })
    const plan = await planMigration(dir)
    expect(plan.changes).toEqual([])
    expect(plan.followUps.find((f) => f.kind === 'client/socket-kept')?.reason).toMatch(/`post` \(it was taken back to Socket\.IO: server\/plugins\/socket\.io\.ts:3:\d+: the Socket\.IO server is kept/)
    expect(plan.followUps.map((f) => f.kind)).toContain('io/unmigrated-use')
  })
})
