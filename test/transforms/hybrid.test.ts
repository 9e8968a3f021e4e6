import { cpSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { planMigration } from '../../src/plan.js'
import type { FileChange } from '../../src/changeset/types.js'
import { tempDir } from '../helpers/cli.js'

/**
 * fixtures/tutor-school-hybrid: one handler (`room_presence`, which asks Socket.IO for the sockets
 * in a room) cannot move, so its event stays on Socket.IO beside the SSE stream. Once the app makes
 * that handler movable, a second run moves the rest and Socket.IO goes.
 */
const fixture = path.resolve(import.meta.dirname, '../../fixtures/tutor-school-hybrid')
let cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups) cleanup()
  cleanups = []
})

function copyOf(tree: 'before' | 'after'): string {
  const t = tempDir('tsm-hybrid-')
  cleanups.push(t.cleanup)
  cpSync(path.join(fixture, tree), t.dir, { recursive: true })
  // The fixture stores .gitignore as _gitignore (npm would drop it from the package).
  if (existsSync(path.join(t.dir, '_gitignore'))) renameSync(path.join(t.dir, '_gitignore'), path.join(t.dir, '.gitignore'))
  return t.dir
}

function textOf(changes: FileChange[], file: string): string | undefined {
  const change = changes.find((c) => c.path === file)
  return change && change.kind !== 'delete' ? change.text : undefined
}

describe('an app where one handler stays on Socket.IO', () => {
  it('keeps the socket beside the stream for that event only, and the plugin for that handler only', async () => {
    const plan = await planMigration(copyOf('before'))
    const useChat = textOf(plan.changes, 'app/composables/useChat.ts')!
    expect(useChat).toContain("events: ['room_presence']")
    expect(useChat).toContain("socket.value?.emit('room_presence', { roomId }, (userIds: number[]) => {")
    expect(useChat).toContain("socket.value?.post('/api/chat/typing', { roomId })")
    const plugin = textOf(plan.changes, 'server/plugins/socket.io.ts')!
    expect(plugin).toContain("socket.on('room_presence'")
    expect(plugin).not.toContain("socket.on('send_message'")
    expect(plan.changes.find((c) => c.path === 'server/routes/socket.io.ts'), 'the route that serves the kept server stays').toBeUndefined()
    expect(plan.changes.some((c) => c.path === 'server/api/chat/room-presence.post.ts')).toBe(false)
    const kept = plan.followUps.filter((f) => f.kind === 'client/socket-kept')
    expect(kept.map((f) => f.file)).toEqual(['app/composables/useChat.ts', 'app/composables/useSocket.ts'])
    expect(kept[0]!.reason).toContain('`room_presence` (its server handler stays')
  })

  it('moves the rest on a second run once the handler can move: the socket, the plugin and the packages go', async () => {
    const dir = copyOf('after')
    const pluginPath = path.join(dir, 'server/plugins/socket.io.ts')
    const plugin = readFileSync(pluginPath, 'utf8')
    const presence = /      const present = await io\.in\(`room:\$\{roomId\}`\)\.fetchSockets\(\)\n.*\n/
    expect(plugin).toMatch(presence)
    writeFileSync(pluginPath, plugin.replace(presence, '      ack?.(await getRoomMemberIds(roomId))\n'))
    writeFileSync(path.join(dir, 'server/utils/presence.ts'), 'export async function getRoomMemberIds(roomId: number): Promise<number[]> {\n  return [roomId]\n}\n')

    const plan = await planMigration(dir)
    const deleted = plan.changes.filter((c) => c.kind === 'delete').map((c) => c.path)
    expect(deleted).toEqual(expect.arrayContaining(['server/plugins/socket.io.ts', 'server/routes/socket.io.ts']))
    const useChat = textOf(plan.changes, 'app/composables/useChat.ts')!
    expect(useChat).not.toContain('socket.io-client')
    expect(useChat).toContain('socket.value = useChatSSE({ token: () => token.value, reconnectAttempts: 5 })')
    expect(useChat).toContain("socket.value?.post<number[]>('/api/chat/room-presence', { roomId }, (userIds: number[]) => {")
    expect(textOf(plan.changes, 'app/composables/useSocket.ts')).toContain('socket.value = markRaw(useChatSSE({ token: () => token.value, reconnectAttempts: 5, detached: true }))')
    const route = textOf(plan.changes, 'server/api/chat/room-presence.post.ts')!
    expect(route).toContain("import type { RoomPayload } from '../../utils/chat-events'")
    expect(route).toContain('return await getRoomMemberIds(roomId)')
    expect(plan.changes.some((c) => c.path.startsWith('server/utils/chat-events-'))).toBe(false)
    const pkg = JSON.parse(textOf(plan.changes, 'package.json')!) as { dependencies: Record<string, string> }
    expect(Object.keys(pkg.dependencies).filter((name) => name.includes('socket.io'))).toEqual([])
    expect(plan.followUps.filter((f) => f.kind === 'client/socket-kept' || f.kind === 'handlers/plugin-kept')).toEqual([])
  })
})
