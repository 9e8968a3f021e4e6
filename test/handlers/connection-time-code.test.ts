import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { planMigration } from '../../src/plan.js'
import { tempDir } from '../helpers/cli.js'
import { writeRepo } from '../client/helpers.js'

const temp = tempDir('tsm-connection-time-')
afterAll(() => temp.cleanup())
let cases = 0

async function plan(plugin: string) {
  const dir = path.join(temp.dir, `case-${++cases}`)
  writeRepo(dir, {
    'package.json': JSON.stringify({ dependencies: { nuxt: '^4.0.0', 'socket.io': '^4.8.1' } }),
    'nuxt.config.ts': 'export default defineNuxtConfig({})\n',
    'server/plugins/socket.io.ts': plugin,
  })
  return planMigration(dir)
}

/** A plugin without an `io.use` middleware whose connection handler does work besides registering handlers. */
const presencePlugin = `import { Server, type Socket } from 'socket.io'

export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  nitroApp.hooks.hook('listen', (server) => io.attach(server))
  let online = 0

  function countPresence(socket: Socket) {
    online++
    io.emit('online', online)
    socket.emit('welcome', 'hello')
  }

  io.on('connection', (socket) => {
    countPresence(socket)
    socket.on('shout', (text: string) => {
      socket.broadcast.emit('shouted', text)
    })
  })
})
`

describe('connection-time code of a server without auth middleware', () => {
  it('keeps the plugin, and says why, when the connection handler runs code a route cannot take', async () => {
    const migration = await plan(presencePlugin)
    const plugin = migration.changes.find((change) => change.path === 'server/plugins/socket.io.ts')
    expect(plugin?.kind).not.toBe('delete')
    const blockers = migration.followUps.filter((followUp) => followUp.file === 'server/plugins/socket.io.ts' && followUp.kind === 'handlers/not-transplantable')
    expect(blockers.map((followUp) => followUp.line)).toContain(15)
    expect(blockers.some((followUp) => followUp.reason.includes('passes the socket itself around'))).toBe(true)
    expect(migration.followUps.some((followUp) => followUp.kind === 'handlers/plugin-kept')).toBe(true)
  })

  it('moves handlers a plugin function registers on the socket it is given, like inline ones, and deletes the plugin', async () => {
    const migration = await plan(`import { Server, type Socket } from 'socket.io'

export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  nitroApp.hooks.hook('listen', (server) => io.attach(server))

  const registerShouts = (socket: Socket) => {
    socket.on('shout', (text: string) => {
      socket.broadcast.emit('shouted', text)
    })
  }

  io.on('connection', (socket) => {
    registerShouts(socket)
  })
})
`)
    expect(migration.changes.find((change) => change.path === 'server/plugins/socket.io.ts')?.kind).toBe('delete')
    const route = migration.changes.find((change) => change.path === 'server/api/chat/shout.post.ts')
    expect(route && route.kind !== 'delete' ? route.text : '').toMatch(/broadcast\('shouted', text, \{ except: connectionId \}\)/)
  })
})
