import { describe, expect, it } from 'vitest'
import { planMigration } from '../../src/plan.js'
import { writeRepo } from '../helpers/repo.js'

const PLUGIN = `import { Server } from 'socket.io'

export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  nitroApp.io = io
  nitroApp.hooks.hook('listen', (server) => io.attach(server))

  io.on('connection', (socket) => {
    socket.on('announce', (text: string) => {
      socket.broadcast.emit('reset', { text })
    })
  })
})
`

const WIPE_ROUTE = `export default defineEventHandler(async () => {
  useNitroApp().io.emit("connected", { at: 1 })
  return { ok: true }
})
`

const COMPOSABLE = `import { io } from 'socket.io-client'
import { onUnmounted, ref } from 'vue'

export function useBoard() {
  const notes = ref<string[]>([])
  const socket = io()
  socket.on('connected', (note: { at: number }) => notes.value.push(String(note.at)))
  socket.on('reset', () => (notes.value = []))
  socket.on('sse:cursor', () => notes.value.push('cursor'))
  function announce(text: string) {
    socket.emit('announce', text)
  }
  onUnmounted(() => socket.disconnect())
  return { notes, announce }
}
`

describe('app events named like the stream’s own events', () => {
  it('travel under another name on the server and the client alike, and the rename is reported', async () => {
    const dir = writeRepo({
      'package.json': '{ "name": "app", "dependencies": { "nuxt": "^4.0.0", "socket.io": "^4.8.1", "socket.io-client": "^4.8.1" } }\n',
      'server/plugins/socket.io.ts': PLUGIN,
      'server/api/wipe.post.ts': WIPE_ROUTE,
      'app/composables/useBoard.ts': COMPOSABLE,
    })
    const plan = await planMigration(dir)
    const text = (file: string): string => {
      const change = plan.changes.find((c) => c.path === file)
      if (!change || change.kind === 'delete') throw new Error(`${file} was not written`)
      return change.text
    }

    expect(text('server/api/wipe.post.ts')).toContain(`broadcast("app:connected", { at: 1 })`)
    expect(text('server/api/chat/announce.post.ts')).toContain(`broadcast('app:reset', { text }`)
    const client = text('app/composables/useBoard.ts')
    expect(client).toContain(`socket.on('app:connected', (note`)
    expect(client).toContain(`socket.on('app:reset', ()`)
    expect(client).toContain(`socket.on('app:sse:cursor', ()`)
    expect(client).not.toMatch(/on\('(connected|reset|sse:cursor)'/)

    const renames = plan.followUps.filter((f) => f.kind.endsWith('reserved-event-renamed'))
    expect(renames.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual([
      'app/composables/useBoard.ts:7 info',
      'app/composables/useBoard.ts:8 info',
      'app/composables/useBoard.ts:9 info',
      'server/api/wipe.post.ts:2 info',
    ])
    expect(renames[0]!.reason).toContain('`app:connected`')
  })
})
