import { describe, expect, it } from 'vitest'
import { planMigration, type MigrationPlan } from '../../src/plan.js'
import { packages } from '../../transforms/packages.js'
import { removeSocketIo } from '../../transforms/remove-socket-io.js'
import { serverEmits } from '../../transforms/server-emits.js'
import { writeRepo } from './helpers.js'

const transforms = [serverEmits, removeSocketIo, packages]

const packageJson = JSON.stringify({ name: 'app', private: true, dependencies: { nuxt: '^4.4.5', 'socket.io': '^4.8.1' } }, null, 2) + '\n'

/** A module that only holds the server in an object the plugin fills and the routes emit through. */
const hub = `import type { Server } from 'socket.io'

const teamHub: { io?: Server } = { io: undefined }
export default teamHub
`

const plugin = `import { Server } from 'socket.io'
import teamHub from '~~/shared/team-hub'

export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  nitroApp.hooks.hook('listen', (server) => io.attach(server))
  teamHub.io = io
})
`

const route = `import teamHub from '~~/shared/team-hub'
import { saveNote } from '~~/server/utils/notes'

export default defineEventHandler(async (event) => {
  const teamId = getRouterParam(event, 'id')!
  const note = await saveNote(teamId, await readBody(event))
  teamHub.io?.to(teamId).emit('note_saved', note)
  return note
})
`

function textOf(plan: MigrationPlan, file: string): string | undefined {
  const change = plan.changes.find((candidate) => candidate.path === file)
  return change && change.kind !== 'delete' ? change.text : undefined
}

function isDeleted(plan: MigrationPlan, file: string): boolean {
  return plan.changes.some((change) => change.path === file && change.kind === 'delete')
}

describe('a module holding the server in an object', () => {
  it('loses its last import once every emit through it is rewritten, is deleted, and socket.io leaves package.json', async () => {
    const dir = writeRepo({
      'package.json': packageJson,
      'shared/team-hub.ts': hub,
      'server/plugins/socket.io.ts': plugin,
      'server/utils/notes.ts': 'export async function saveNote(teamId: string, body: unknown) {\n  return { teamId, body }\n}\n',
      'server/api/teams/[id]/notes.post.ts': route,
    })
    const plan = await planMigration(dir, { transforms })
    expect(textOf(plan, 'server/api/teams/[id]/notes.post.ts')).toBe(`import { saveNote } from '~~/server/utils/notes'
import { emitToChannel } from '~~/server/utils/sse'

export default defineEventHandler(async (event) => {
  const teamId = getRouterParam(event, 'id')!
  const note = await saveNote(teamId, await readBody(event))
  emitToChannel(teamId, 'note_saved', note)
  return note
})
`)
    expect(isDeleted(plan, 'shared/team-hub.ts')).toBe(true)
    expect(isDeleted(plan, 'server/plugins/socket.io.ts')).toBe(true)
    expect(JSON.parse(textOf(plan, 'package.json') ?? '{}').dependencies).toEqual({ nuxt: '^4.4.5' })
    expect(plan.followUps.map((followUp) => followUp.kind)).not.toContain('packages/still-imported')
  })

  it('keeps the import blank line when the holder import was the last one', async () => {
    const dir = writeRepo({
      'package.json': packageJson,
      'shared/team-hub.ts': hub,
      'server/plugins/socket.io.ts': plugin,
      'server/api/ping.post.ts': `import { z } from 'zod'
import teamHub from '~~/shared/team-hub'

export default defineEventHandler(() => {
  teamHub.io?.emit('ping', z.string())
})
`,
    })
    const plan = await planMigration(dir, { transforms })
    expect(textOf(plan, 'server/api/ping.post.ts')).toBe(`import { z } from 'zod'

export default defineEventHandler(() => {
  broadcast('ping', z.string())
})
`)
  })

  it('stays with its import, and the use is reported with its line, while a route still reads the server for something else', async () => {
    const dir = writeRepo({
      'package.json': packageJson,
      'shared/team-hub.ts': hub,
      'server/plugins/socket.io.ts': plugin,
      'server/api/teams/[id]/notes.post.ts': route,
      'server/utils/notes.ts': 'export async function saveNote(teamId: string, body: unknown) {\n  return { teamId, body }\n}\n',
      'server/api/online.get.ts': `import teamHub from '~~/shared/team-hub'

export default defineEventHandler(() => ({ online: teamHub.io?.engine.clientsCount ?? 0 }))
`,
    })
    const plan = await planMigration(dir, { transforms })
    expect(textOf(plan, 'server/api/online.get.ts')).toBeUndefined()
    expect(isDeleted(plan, 'shared/team-hub.ts')).toBe(false)
    expect(isDeleted(plan, 'server/plugins/socket.io.ts')).toBe(false)
    expect(plan.followUps.map((followUp) => `${followUp.file}:${followUp.line} ${followUp.kind}`)).toContain('server/api/online.get.ts:3 io/unmigrated-use')
  })

  it('stays while a file imports it for its side effects, rather than leaving that import dangling', async () => {
    const dir = writeRepo({
      'package.json': packageJson,
      'shared/team-hub.ts': hub,
      'server/plugins/socket.io.ts': plugin,
      'server/plugins/boot.ts': `import '~~/shared/team-hub'

export default defineNitroPlugin(() => {})
`,
      'server/api/teams/[id]/notes.post.ts': route,
      'server/utils/notes.ts': 'export async function saveNote(teamId: string, body: unknown) {\n  return { teamId, body }\n}\n',
    })
    const plan = await planMigration(dir, { transforms })
    expect(isDeleted(plan, 'shared/team-hub.ts')).toBe(false)
    expect(textOf(plan, 'server/api/teams/[id]/notes.post.ts')).not.toContain('team-hub')
    expect(plan.followUps.map((followUp) => `${followUp.file}:${followUp.line} ${followUp.kind}`)).toContain('shared/team-hub.ts:1 packages/still-imported')
  })
})
