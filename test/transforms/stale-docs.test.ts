import { describe, expect, it } from 'vitest'
import { planMigration } from '../../src/plan.js'
import { writeRepo } from '../helpers/repo.js'

const PLUGIN = `import { Server } from 'socket.io'

export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  nitroApp.io = io
  nitroApp.hooks.hook('listen', (server) => io.attach(server))
  io.on('connection', (socket) => {
    socket.on('note', (text: string) => {
      socket.broadcast.emit('note', { text })
    })
  })
})
`

const ROUTE = `export default defineEventHandler(async () => {
  useNitroApp().io.emit('ping', { at: 1 })
  return { ok: true }
})
`

const README = `# Board

Live notes are pushed over Socket.IO.

See [the setup](docs/SOCKET_IO_SETUP.md) before you start.

Run \`npm run dev\`.
`

const GUIDE = `# Guide

The server lives in [the plugin](../server/plugins/socket.io.ts).
Nothing else here is stale.
`

describe('Markdown that still describes the removed Socket.IO server', () => {
  it('is reported line by line: links to deleted files as warnings, mentions as notes', async () => {
    const dir = writeRepo({
      'server/plugins/socket.io.ts': PLUGIN,
      'server/api/ping.post.ts': ROUTE,
      'docs/SOCKET_IO_SETUP.md': '# Socket.IO setup\n\nStart the io server.\n',
      'docs/guide.md': GUIDE,
      'README.md': README,
    })
    const plan = await planMigration(dir)

    expect(plan.changes.find((c) => c.path === 'server/plugins/socket.io.ts')?.kind).toBe('delete')
    const docs = plan.followUps.filter((f) => f.kind.startsWith('docs/'))
    expect(docs.map((f) => `${f.kind} ${f.file}:${f.line} ${f.severity}`)).toEqual([
      'docs/mentions-socket-io README.md:3 info',
      'docs/link-to-deleted README.md:5 warning',
      'docs/link-to-deleted docs/guide.md:3 warning',
    ])
    expect(docs[1]!.reason).toContain('docs/SOCKET_IO_SETUP.md')
    expect(plan.changes.some((c) => c.path === 'README.md')).toBe(false)
  })
})
