import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { migrate, plugin, tokenMiddleware } from './helpers.js'

const withZod = '{ "name": "app", "dependencies": { "nuxt": "^4.0.0", "socket.io": "^4.8.1", "zod": "^3.23.8" } }\n'
const withoutZod = '{ "name": "app", "dependencies": { "nuxt": "^4.0.0", "socket.io": "^4.8.1" } }\n'

/** An API route of the app validating its body as h3's docs show. */
const validatedRoute = `import { z } from 'zod'

const createRoomSchema = z.object({
  name: z.string(),
  tutorId: z.number()
})

export default defineEventHandler(async (event) => {
  const body = await readValidatedBody(event, createRoomSchema.parse)
  return { name: body.name }
})
`

const chatPlugin = plugin({
  before: `type MessageKind = 'text' | 'image' | 'file'
interface SendMessagePayload {
  roomId: number
  content: string
  kind: MessageKind
  replyTo?: number
  pinned: boolean | null
  attachments: { url: string; size: number }[]
}
`,
  middleware: tokenMiddleware,
  connection: `    const userId = socket.data.userId as number
    socket.on('send_message', async (payload: SendMessagePayload) => {
      io.to(\`room:\${payload.roomId}\`).emit('new_message', { ...payload, userId })
    })
    socket.on('join_room', ({ roomId }: { roomId: number }) => {
      socket.join(\`room:\${roomId}\`)
    })`,
})

/** The schema a generated route declares, built with the real zod. */
function schemaOf(route: string, name: string): z.ZodTypeAny {
  const declaration = new RegExp(`^const ${name} = [\\s\\S]*?^\\}\\)$`, 'm').exec(route)
  expect(declaration, `${name} in\n${route}`).not.toBeNull()
  return new Function('z', `${declaration![0]}\nreturn ${name}`)(z) as z.ZodTypeAny
}

describe('generated routes validate their body as the app validates its own', () => {
  it('declares a zod schema of the payload type and reads the body with readValidatedBody within the size bound', async () => {
    const { files } = await migrate({ 'package.json': withZod, 'server/api/rooms/index.post.ts': validatedRoute, 'server/plugins/socket.io.ts': chatPlugin })
    const send = files.get('server/api/chat/send-message.post.ts')!
    expect(send).toMatch(/^import \{ z \} from 'zod'\n\nconst sendMessageSchema = z\.object\(\{\n/)
    expect(send).toContain(`const sendMessageSchema = z.object({
  roomId: z.number(),
  content: z.string(),
  kind: z.enum(['text', 'image', 'file']),
  replyTo: z.number().optional(),
  pinned: z.boolean().nullable(),
  attachments: z.array(z.object({
    url: z.string(),
    size: z.number()
  }))
})

/** Replaces the \`send_message\` Socket.IO event`)
    expect(send).toContain(`  await limitRequestBody(event)\n  const payload = await readValidatedBody(event, sendMessageSchema.parse)\n`)
    expect(send).not.toMatch(/readChatBody|typeof payload/)
    expect(send).not.toContain('SendMessagePayload')
    const join = files.get('server/api/chat/join-room.post.ts')!
    expect(join).toContain(`const joinRoomSchema = z.object({\n  roomId: z.number()\n})`)
    expect(join).toContain(`const { roomId } = await readValidatedBody(event, joinRoomSchema.parse)`)
  })

  it('answers a bad body with the field that is wrong, and lets a good one through', async () => {
    const { files } = await migrate({ 'package.json': withZod, 'server/api/rooms/index.post.ts': validatedRoute, 'server/plugins/socket.io.ts': chatPlugin })
    const schema = schemaOf(files.get('server/api/chat/send-message.post.ts')!, 'sendMessageSchema')
    const good = { roomId: 1, content: 'hi', kind: 'image', pinned: null, attachments: [{ url: '/a.png', size: 3 }] }
    expect(schema.parse({ ...good, extra: 1 })).toEqual(good)
    const wrong = (body: unknown) => (schema.safeParse(body) as { error?: z.ZodError }).error?.issues.map((issue) => issue.path.join('.'))
    expect(wrong({ ...good, roomId: '1' })).toEqual(['roomId'])
    expect(wrong({ ...good, kind: 'video' })).toEqual(['kind'])
    expect(wrong({ ...good, replyTo: 'x' })).toEqual(['replyTo'])
    expect(wrong({ ...good, attachments: [{ url: '/a.png' }] })).toEqual(['attachments.0.size'])
    expect(wrong({ roomId: 1 })).toEqual(['content', 'kind', 'pinned', 'attachments'])
  })

  it('follows the app\'s import, validator and trailing commas', async () => {
    const { files } = await migrate({
      'package.json': withZod,
      'server/utils/schemas.ts': `import * as z from 'zod'\n\nexport const profileSchema = z.object({\n  name: z.string(),\n  bio: z.string().max(200),\n})\n`,
      'server/api/profile.put.ts': `export default defineEventHandler(async (event) => {\n  const data = await readValidatedBody(event, (input) => profileSchema.parse(input))\n  return data\n})\n`,
      'server/api/other.post.ts': `export default defineEventHandler(async (event) => {\n  const data = await readValidatedBody(event, (input) => profileSchema.parse(input))\n  return data\n})\n`,
      'server/plugins/socket.io.ts': chatPlugin,
    })
    const join = files.get('server/api/chat/join-room.post.ts')!
    expect(join).toMatch(/^import \* as z from 'zod'\n/)
    expect(join).toContain(`const joinRoomSchema = z.object({\n  roomId: z.number(),\n})`)
    expect(join).toContain(`const { roomId } = await readValidatedBody(event, (input) => joinRoomSchema.parse(input))`)
  })

  it('reads with readValidatedBody where the app parses readBody\'s result itself, so a bad body stays a 400', async () => {
    const { files } = await migrate({
      'package.json': withZod,
      'server/api/rooms/index.post.ts': `import { z } from 'zod'\n\nconst schema = z.object({ name: z.string() })\n\nexport default defineEventHandler(async (event) => {\n  const body = schema.parse(await readBody(event))\n  return body\n})\n`,
      'server/plugins/socket.io.ts': chatPlugin,
    })
    expect(files.get('server/api/chat/join-room.post.ts')).toContain(`const { roomId } = await readValidatedBody(event, joinRoomSchema.parse)`)
  })

  it('accepts what it cannot describe as anything and says so; an untyped or open payload keeps the plain checks', async () => {
    const { files, followUps } = await migrate({
      'package.json': withZod,
      'server/api/rooms/index.post.ts': validatedRoute,
      'server/plugins/socket.io.ts': plugin({
        middleware: tokenMiddleware,
        connection: `    socket.on('schedule', (lesson: { roomId: number; at: Date; notes: Map<string, string>[] }) => {
      socket.broadcast.emit('scheduled', lesson.roomId)
    })
    socket.on('raw', (anything) => {
      socket.broadcast.emit('raw', anything)
    })
    socket.on('settings', (settings: { roomId: number; [key: string]: unknown }) => {
      socket.broadcast.emit('settings', settings.roomId)
    })`,
      }),
    })
    expect(files.get('server/api/chat/schedule.post.ts')).toContain(`const scheduleSchema = z.object({\n  roomId: z.number(),\n  at: z.any(),\n  notes: z.array(z.any())\n})`)
    expect(followUps.filter((f) => f.kind === 'handlers/schema-any').map((f) => [f.severity, f.reason])).toEqual([
      ['info', 'the zod schema of the `schedule` route accepts `at`, `notes[]` as anything (`z.any()`): the payload type says more than the generated schema can'],
    ])
    expect(files.get('server/api/chat/raw.post.ts')).toContain('const anything = await readChatBody<any>(event)\n\n')
    const settings = files.get('server/api/chat/settings.post.ts')!
    expect(settings).toContain(`if (typeof settings?.roomId !== 'number') {`)
    expect(settings).not.toContain('zod')
  })

  it('keeps today\'s output when the app does not validate with zod', async () => {
    const reference = await migrate({ 'package.json': withoutZod, 'server/plugins/socket.io.ts': chatPlugin })
    expect(reference.files.get('server/api/chat/send-message.post.ts')).toContain(`if (typeof payload?.roomId !== 'number') {`)
    // zod installed but no route validating with it; a zod route in an app that does not depend on zod.
    const unused = await migrate({ 'package.json': withZod, 'server/api/rooms/index.post.ts': 'export default defineEventHandler(async (event) => readBody(event))\n', 'server/plugins/socket.io.ts': chatPlugin })
    const undeclared = await migrate({ 'package.json': withoutZod, 'server/api/rooms/index.post.ts': validatedRoute, 'server/plugins/socket.io.ts': chatPlugin })
    for (const other of [unused, undeclared]) {
      for (const [file, text] of reference.files) expect(other.files.get(file), file).toBe(text)
      expect(other.followUps.map((f) => f.kind)).toEqual(reference.followUps.map((f) => f.kind))
    }
  })
})
