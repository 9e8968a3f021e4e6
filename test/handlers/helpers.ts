import { writeRepo } from '../helpers/repo.js'
import { defaultConfig, type MigrationConfig } from '../../src/config/types.js'
import type { FollowUp } from '../../src/followups.js'
import { planMigration, type MigrationPlan } from '../../src/plan.js'
import { serverEmits } from '../../transforms/server-emits.js'
import { serverHandlers } from '../../transforms/server-handlers.js'

export { writeRepo }

export interface Migrated {
  plan: MigrationPlan
  /** Path → text of every created or updated file. */
  files: Map<string, string>
  deleted: string[]
  followUps: FollowUp[]
  /** Follow-ups as `severity kind` for compact assertions. */
  kinds: string[]
}

/** Plans the server-emits and server-handlers transforms over the files (nothing is written). */
export async function migrate(files: Record<string, string>, config: Partial<MigrationConfig> = {}): Promise<Migrated> {
  const plan = await planMigration(writeRepo(files), {
    transforms: [serverEmits, serverHandlers],
    config: { ...defaultConfig, ...config },
  })
  const out = new Map<string, string>()
  const deleted: string[] = []
  for (const change of plan.changes) {
    if (change.kind === 'delete') deleted.push(change.path)
    else out.set(change.path, change.text)
  }
  return { plan, files: out, deleted, followUps: plan.followUps, kinds: plan.followUps.map((f) => `${f.severity} ${f.kind}`) }
}

/** A plugin with the given io.use middleware and connection handler bodies. */
export function plugin(parts: { imports?: string; before?: string; middleware?: string; connection: string; after?: string }): string {
  return [
    `import { Server } from 'socket.io'`,
    parts.imports ?? '',
    parts.before ?? '',
    'export default defineNitroPlugin((nitroApp) => {',
    '  const io = new Server()',
    '  nitroApp.io = io',
    parts.middleware ? `  io.use(${parts.middleware})` : '',
    `  io.on('connection', async (socket) => {`,
    parts.connection,
    '  })',
    '})',
    parts.after ?? '',
    '',
  ].filter((line) => line !== '').join('\n')
}

/** The usual token middleware: auth.token or the Authorization header, verifyToken, socket.data.user/userId. */
export const tokenMiddleware = `async (socket, next) => {
    const token = socket.handshake.auth.token || socket.handshake.headers.authorization?.replace('Bearer ', '')
    if (!token) return next(new Error('Authentication token required'))
    try {
      const user = await verifyToken(token)
      socket.data.user = user
      socket.data.userId = user.id
      next()
    } catch (error) {
      next(new Error('Authentication failed'))
    }
  }`
