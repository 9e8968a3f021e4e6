import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { defaultConfig } from '../../src/config/types.js'
import { planMigration } from '../../src/plan.js'
import { serverEmits } from '../../transforms/server-emits.js'
import { serverHandlers } from '../../transforms/server-handlers.js'
import { sseRuntime } from '../../transforms/sse-runtime.js'
import { plugin, tokenMiddleware, writeRepo } from './helpers.js'

const RUNTIME_ROUTE = readFileSync(new URL('../../src/runtime/server/api/chat/events.get.ts', import.meta.url), 'utf8')

/** Plans the runtime and the server transforms: the stream route is installed, as in a real run. */
async function migrateWithRuntime(disconnect: string, before = '') {
  const repo = writeRepo({
    'package.json': JSON.stringify({ dependencies: { nuxt: '^4.0.0', 'socket.io': '^4.8.1' } }),
    'nuxt.config.ts': 'export default defineNuxtConfig({})\n',
    'server/utils/users.ts': [
      'export async function verifyToken(token: string): Promise<{ id: string }> {',
      '  return { id: token }',
      '}',
      'export async function setStatus(userId: string, status: string): Promise<void> {}',
      '',
    ].join('\n'),
    'server/plugins/socket.io.ts': plugin({
      imports: `import { setStatus, verifyToken } from '../utils/users'`,
      before,
      middleware: tokenMiddleware,
      connection: `    socket.on('disconnect', ${disconnect})`,
    }),
  })
  const plan = await planMigration(repo, { transforms: [sseRuntime, serverEmits, serverHandlers], config: { ...defaultConfig } })
  const files = new Map<string, string>()
  const deleted: string[] = []
  for (const change of plan.changes) {
    if (change.kind === 'delete') deleted.push(change.path)
    else files.set(change.path, change.text)
  }
  const followUps = plan.followUps.filter((f) => f.transform === 'server-handlers').map((f) => `${f.kind}: ${f.reason}`)
  return { files, deleted, followUps }
}

describe('a disconnect handler that does work', () => {
  it('becomes connectionClosed, passed to the runtime by the stream route, and the plugin goes', async () => {
    const { files, deleted, followUps } = await migrateWithRuntime(`() => {
      console.log('gone', socket.id)
      setStatus(socket.data.userId, 'offline')
      socket.broadcast.emit('status', { userId: socket.data.userId, status: 'offline' })
    }`)
    expect(deleted).toEqual(['server/plugins/socket.io.ts'])
    const hooks = files.get('server/utils/sse-hooks.ts')!
    expect(hooks).toContain(`import { setStatus, verifyToken } from './users'`)
    expect(hooks).toContain([
      'export async function connectionClosed(user: SSEUser): Promise<void> {',
      '  const { userId } = user as ChatUser',
      `  setStatus(userId, 'offline')`,
      `  broadcast('status', { userId: userId, status: 'offline' })`,
      '}',
    ].join('\n'))
    expect(files.get('server/api/chat/events.get.ts')).toContain('handleEventStream(event, { authenticateSSE, channelsForConnection, canSubscribe, connectionClosed })')
    expect(followUps).toContain('handlers/disconnect-moved: the `disconnect` handler\'s code now runs in `connectionClosed` (server/utils/sse-hooks.ts), once for each stream that ends; a user with two tabs open has two streams, as they had two sockets')
  })

  it.each([
    ['reads the disconnect reason', `(reason) => {
      setStatus(socket.data.userId, reason)
    }`, '', 'reads the disconnect reason (`reason`), which an ended SSE stream does not give'],
    ['emits to the socket that left', `() => {
      setStatus(socket.data.userId, 'offline')
      socket.emit('bye', {})
    }`, '', 'emits to the connection that just went away'],
    ['uses module state', `() => {
      online.delete(socket.data.userId)
    }`, 'const online = new Set<string>()', 'uses `online`, state of the Socket.IO module (line 3), which `connectionClosed` in another file does not share'],
  ])('stays on Socket.IO, reported, when it %s', async (_what, handler, before, reason) => {
    const { files, deleted, followUps } = await migrateWithRuntime(handler, before)
    expect(deleted).toEqual([])
    expect(followUps).toContain(`handlers/not-transplantable: the \`disconnect\` handler: ${reason}`)
    expect(files.get('server/utils/sse-hooks.ts')).not.toContain('connectionClosed')
    expect(files.get('server/api/chat/events.get.ts')).toBe(RUNTIME_ROUTE)
  })
})
