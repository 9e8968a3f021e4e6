import { describe, expect, it } from 'vitest'
import { planMigration } from '../../src/plan.js'
import type { Transform } from '../../src/transform.js'
import { transforms as registered } from '../../transforms/index.js'
import { runInProcess } from '../helpers/cli.js'
import { writeRepo } from '../helpers/repo.js'

const PACKAGE_JSON = `${JSON.stringify({ name: 'app', private: true, dependencies: { nuxt: '^4.4.5', 'socket.io': '^4.8.1', 'socket.io-client': '^4.8.1' } }, null, 2)}\n`

const APP = {
  'package.json': PACKAGE_JSON,
  'nuxt.config.ts': 'export default defineNuxtConfig({})\n',
  // Auto-imported by Nitro: the generated routes may call it without importing it.
  'server/utils/rooms.ts': 'export function roomChannel(roomId: number): string {\n  return `room:${roomId}`\n}\n',
  'app/utils/format.ts': 'export function formatCount(count: number): string {\n  return count.toLocaleString()\n}\n',
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
      socket.to(roomChannel(payload.roomId)).emit('typing', payload)
    })
    socket.on('send_message', (payload: { roomId: number; text: string }) => {
      socket.to(roomChannel(payload.roomId)).emit('new_message', payload)
    })
  })
})
`,
  'app/composables/useRoom.ts': `import { io } from 'socket.io-client'
import { formatCount } from '~/utils/format'
export function useRoom(roomId: number) {
  const socket = io({ auth: { token: useCookie('token').value } })
  socket.on('new_message', (message: { text: string }) => console.log(message.text, formatCount(1)))
  const send = (text: string) => socket.emit('send_message', { roomId, text })
  const type = () => socket.emit('typing', { roomId })
  return { send, type }
}
`,
}

/** A test-only transform standing for a bug: it appends `line` to a file the plan writes. */
function appendTo(file: string, line: string): Transform {
  return {
    id: 'test-append',
    title: 'test: append a line',
    run(ctx) {
      const text = ctx.changes.currentText(file)
      if (text !== undefined) ctx.changes.write(file, `${text}\n${line}\n`, text, { transform: 'test-append', reason: 'test' })
    },
  }
}

const changedText = (plan: Awaited<ReturnType<typeof planMigration>>, path: string) => {
  const change = plan.changes.find((c) => c.path === path)
  return change && change.kind !== 'delete' ? change.text : undefined
}

describe('verify: a type error the plan would add', () => {
  it('in a generated route: the route is withdrawn, its event stays on Socket.IO, reported, and the rest of the plan moves', async () => {
    // The app's own roomChannel takes a number: handing it a string is a type error, and only the type check sees it.
    const plan = await planMigration(writeRepo(APP), { transforms: [...registered, appendTo('server/api/chat/send-message.post.ts', "export const channel = roomChannel('lobby')")] })
    const paths = plan.changes.map((c) => c.path)
    expect(paths).not.toContain('server/api/chat/send-message.post.ts')
    expect(paths).toContain('server/api/chat/typing.post.ts')
    const withdrawn = plan.followUps.find((f) => f.kind === 'handlers/withdrawn' && f.reason.includes('send_message'))
    expect(withdrawn?.severity).toBe('error')
    expect(withdrawn?.reason).toMatch(/server\/api\/chat\/send-message\.post\.ts:\d+:\d+: type error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'/)
    expect(changedText(plan, 'app/composables/useRoom.ts')).toContain("socket.emit('send_message', { roomId, text })")
    expect(changedText(plan, 'app/composables/useRoom.ts')).toContain("socket.send('/api/chat/typing', { roomId })")
    expect(plan.followUps.some((f) => f.kind.startsWith('verify/'))).toBe(false)
  })

  it('elsewhere: the run stops naming file:line and the TypeScript message; --force keeps the plan with a follow-up', async () => {
    // The file's events go back to Socket.IO, then its socket stays as it was; the code the bug appends stays wrong all the same.
    const broken = appendTo('app/composables/useRoom.ts', "export const count = formatCount('many')")
    const dir = writeRepo(APP)
    await expect(planMigration(dir, { transforms: [...registered, broken] })).rejects.toThrow(
      /app\/composables\/useRoom\.ts:\d+:\d+: type error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'\. \(edited by test-append\)/,
    )
    const forced = await planMigration(dir, { transforms: [...registered, broken], force: true })
    const line = (changedText(forced, 'app/composables/useRoom.ts') ?? '').split('\n').findIndex((text) => text.includes("formatCount('many')")) + 1
    expect(forced.followUps.filter((f) => f.kind === 'verify/type-error').map((f) => `${f.file}:${f.line} ${f.severity} ${f.code}`)).toEqual([
      `app/composables/useRoom.ts:${line} warning export const count = formatCount('many')`,
    ])
    const check = await runInProcess([dir, '--check', '--force'], { transforms: [...registered, broken] })
    expect(check.exitCode, '--check stays at 1 while the type error is open').toBe(1)
    expect((await runInProcess([dir, '--dry-run'], { transforms: [...registered, broken] })).exitCode).toBe(3)
  })

  it('finds an import of a file the plan deletes, in a file the plan does not touch', async () => {
    const dir = writeRepo({
      ...APP,
      'server/utils/legacy.ts': 'export const legacyLimit = 10\n',
      'server/api/stats.get.ts': "import { legacyLimit } from '../utils/legacy'\nexport default defineEventHandler(() => ({ limit: legacyLimit }))\n",
    })
    const deleteLegacy: Transform = {
      id: 'test-delete',
      title: 'test: delete a file something still imports',
      run: (ctx) => ctx.changes.delete('server/utils/legacy.ts', { transform: 'test-delete', reason: 'test' }),
    }
    await expect(planMigration(dir, { transforms: [...registered, deleteLegacy] })).rejects.toThrow(
      /server\/api\/stats\.get\.ts:1:\d+: type error TS2307: Cannot find module '\.\.\/utils\/legacy' or its corresponding type declarations\. \(it uses server\/utils\/legacy\.ts, as the migration would change it\) \(edited by test-delete\)/,
    )
  })

  it('does not count what the file had before, what only installed types would say, or a plan that adds no error', async () => {
    const dir = writeRepo({
      ...APP,
      // Already wrong before the migration, and still there after it (on another line).
      'app/composables/useRoom.ts': APP['app/composables/useRoom.ts'].replace('export function useRoom', "export const legacy: number = formatCount(2)\nexport function useRoom"),
    })
    // New code using packages' types and globals this check does not load: `H3Event`, `process`, `ref<T>()`, `this` of a Vue component.
    const unknowable = appendTo('app/composables/useRoom.ts', [
      "import type { H3Event } from 'h3'",
      'export const timeout = (event: H3Event) => process.env.TIMEOUT ?? event.path',
      'export const counter = ref<number>(0)',
      'export const options = defineComponent({ methods: { reset() { this.counter = 0 } } })',
      'export const later = (callback) => setTimeout(callback, 10)',
    ].join('\n'))
    const plan = await planMigration(dir, { transforms: [...registered, unknowable] })
    expect(plan.followUps.filter((f) => f.kind.startsWith('verify/'))).toEqual([])
    expect(plan.changes.map((c) => c.path)).toContain('server/api/chat/send-message.post.ts')
  })
})
