import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { planMigration } from '../../src/plan.js'
import type { FileChange } from '../../src/changeset/types.js'
import { tempDir } from '../helpers/cli.js'
import { writeRepo } from '../client/helpers.js'

const temp = tempDir('tsm-client-kept-')
afterAll(() => temp.cleanup())
let cases = 0

function textOf(changes: FileChange[], file: string): string | undefined {
  const change = changes.find((c) => c.path === file)
  return change && change.kind !== 'delete' ? change.text : undefined
}

/** A server whose handlers read state the plugin holds, so none of them can become a route. */
const statefulServer = (events: string[]): string => `import { Server } from 'socket.io'

export default defineNitroPlugin(() => {
  const io = new Server()
  const seen = new Map<string, number>()
  io.use(async (socket, next) => {
    socket.data.user = await verifyToken(socket.handshake.auth.token as string)
    next()
  })
  io.on('connection', (socket) => {
${events.map((event) => `    socket.on('${event}', (roomId: string) => {\n      seen.set(roomId, (seen.get(roomId) ?? 0) + 1)\n      socket.emit('${event}:count', seen.get(roomId))\n    })\n`).join('')}  })
})
`

const page = `<script setup lang="ts">
import { io } from 'socket.io-client'

const transport = ref('')
const count = ref(0)

onMounted(() => {
  const socket = io({ auth: { token: localStorage.getItem('token') } })
  socket.on('connect', () => {
    transport.value = socket.io.engine.transport.name
  })
  socket.on('visit:count', (n: number) => {
    count.value = n
  })
  socket.emit('visit', 'lobby')
})
</script>

<template>
  <p>{{ transport }} {{ count }}</p>
</template>
`

async function plan(files: Record<string, string>) {
  const dir = path.join(temp.dir, `case-${++cases}`)
  writeRepo(dir, files)
  return planMigration(dir)
}

describe('a client whose every event stays on Socket.IO', () => {
  it('is left exactly as it was, with one note at its socket saying why, and the run can go ahead', async () => {
    const result = await plan({ 'server/plugins/socket.io.ts': statefulServer(['visit']), 'app/pages/index.vue': page })
    expect(result.changes.find((c) => c.path === 'app/pages/index.vue'), 'the page is untouched').toBeUndefined()
    const kept = result.followUps.filter((f) => f.kind === 'client/socket-kept')
    expect(kept.map((f) => `${f.file}:${f.line}`)).toEqual(['app/pages/index.vue:8'])
    expect(kept[0]!.reason).toContain('every event the client sends or hears stays on Socket.IO')
    expect(kept[0]!.reason).toContain('`visit`')
    // Nothing the migrated code would lack: `socket.io.engine` is still a socket's.
    expect(result.followUps.filter((f) => f.kind.startsWith('verify/'))).toEqual([])
    const pkg = JSON.parse(textOf(result.changes, 'package.json') ?? '{"dependencies":{"socket.io-client":"x"}}') as { dependencies: Record<string, string> }
    expect(pkg.dependencies['socket.io-client']).toBeDefined()
  })

  it('writes nothing at all when no part of the app can move: no SSE runtime that would serve no event', async () => {
    const result = await plan({ 'server/plugins/socket.io.ts': statefulServer(['visit']), 'app/pages/index.vue': page })
    expect(result.changes.map((change) => `${change.kind} ${change.path}`)).toEqual([])
    expect(result.nothingMigrated).toBe(true)
    expect(result.followUps.some((f) => f.kind === 'handlers/not-transplantable' && f.file === 'server/plugins/socket.io.ts')).toBe(true)
  })

  it('reports nothing about the SSE runtime it did not install', async () => {
    const logout = "export default defineEventHandler(async (event) => {\n  deleteCookie(event, 'token')\n  return { ok: true }\n})\n"
    const result = await plan({ 'server/plugins/socket.io.ts': statefulServer(['visit']), 'app/pages/index.vue': page, 'server/api/auth/logout.post.ts': logout })
    expect(result.nothingMigrated).toBe(true)
    expect(result.followUps.filter((f) => f.transform === 'sse-runtime').map((f) => `${f.file} ${f.kind}`)).toEqual([])
    expect(result.followUps.some((f) => f.kind === 'handlers/not-transplantable')).toBe(true)
  })

  it('still moves when one of its events can move', async () => {
    const server = statefulServer(['visit']).replace("  io.on('connection', (socket) => {\n", "  io.on('connection', (socket) => {\n    socket.on('wave', (roomId: string) => {\n      socket.to(roomId).emit('waved', roomId)\n    })\n")
    // The Manager read goes too: the stream a partly moved client gets has none.
    const withWave = page
      .replace("  socket.on('connect', () => {\n    transport.value = socket.io.engine.transport.name\n  })\n", '')
      .replace("  socket.emit('visit', 'lobby')\n", "  socket.emit('visit', 'lobby')\n  socket.emit('wave', 'lobby')\n")
    const result = await plan({ 'server/plugins/socket.io.ts': server, 'app/pages/index.vue': withWave })
    const text = textOf(result.changes, 'app/pages/index.vue')!
    expect(text).toContain("events: ['visit', 'visit:count']")
    expect(text).toContain("socket.post('/api/chat/wave', 'lobby')")
  })
})

describe('a socket created inside a callback', () => {
  it('gets its connect() next to it, in the scope that declares it', async () => {
    const server = `import { Server } from 'socket.io'

export default defineNitroPlugin(() => {
  const io = new Server()
  io.use(async (socket, next) => {
    socket.data.user = await verifyToken(socket.handshake.auth.token as string)
    next()
  })
  io.on('connection', (socket) => {
    socket.on('wave', (roomId: string) => {
      socket.to(roomId).emit('waved', roomId)
    })
  })
})
`
    const component = `<script setup lang="ts">
import { io } from 'socket.io-client'

const waves = ref(0)

onMounted(() => {
  const socket = io({ auth: { token: localStorage.getItem('token') } })
  socket.on('waved', () => {
    waves.value++
  })
  socket.emit('wave', 'lobby')
})
</script>
`
    const result = await plan({ 'server/plugins/socket.io.ts': server, 'app/pages/index.vue': component })
    const text = textOf(result.changes, 'app/pages/index.vue')!
    expect(text).toContain("onMounted(() => {\n  const socket = useChatSSE({ token: () => localStorage.getItem('token') })\n  socket.connect()\n  socket.on('waved'")
    expect(text).not.toMatch(/\}\)\nsocket\.connect\(\)/)
  })
})
