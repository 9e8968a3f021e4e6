import { describe, expect, it } from 'vitest'
import { planMigration } from '../../src/plan.js'
import { writeRepo } from '../helpers/repo.js'

const PLUGIN = `import { Server } from 'socket.io'

export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  nitroApp.hooks.hook('listen', (server) => io.attach(server))
  io.on('connection', (socket) => {
    socket.on('note', (text: string) => {
      socket.broadcast.emit('note', { text })
    })
  })
})
`

const LOGOUT = `// Ends the session cookie.
export default defineEventHandler(async (event) => {
  await clearUserSession(event)
  return { ok: true }
})
`

const HANDLED = `export default defineEventHandler(async (event) => {
  const { user } = await requireUserSession(event)
  await clearUserSession(event)
  await closeUserStreams(user.id)
})
`

describe('server routes that log users out', () => {
  it('are reported where they do not end the user’s streams, with file:line, and left as they are', async () => {
    const dir = writeRepo({
      'server/plugins/socket.io.ts': PLUGIN,
      'server/api/auth/logout.post.ts': LOGOUT,
      'server/api/auth/sign-out/index.ts': LOGOUT,
      'server/api/admin/signout.delete.ts': HANDLED,
      'server/api/auth/login.post.ts': LOGOUT,
      'app/pages/logout.ts': LOGOUT,
    })
    const plan = await planMigration(dir)
    const found = plan.followUps.filter((f) => f.kind === 'runtime/logout-keeps-streams')
    expect(found.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual([
      'server/api/auth/logout.post.ts:2 security',
      'server/api/auth/sign-out/index.ts:2 security',
    ])
    expect(found[0]!.action).toContain('closeUserStreams')
    expect(plan.changes.some((c) => c.path.includes('logout') || c.path.includes('sign'))).toBe(false)
  })
})
