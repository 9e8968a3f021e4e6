import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { defaultConfig, type MigrationConfig } from '../../src/config/types.js'
import type { FollowUp } from '../../src/followups.js'
import { planMigration, type MigrationPlan } from '../../src/plan.js'
import { clientTransform } from '../../transforms/client.js'
import { repoRoot } from '../helpers/cli.js'

export const fixtureBefore = (name: string): string => path.join(repoRoot, 'fixtures', name, 'before')

export interface ClientPlan {
  plan: MigrationPlan
  /** New text of every updated or created file. */
  updated: Map<string, string>
  deleted: string[]
  /** The client transform's follow-ups. */
  followUps: FollowUp[]
}

/** Runs only the client transform (the analysis is the whole one) and returns what it would change. */
export async function planClient(dir: string, config?: Partial<MigrationConfig>): Promise<ClientPlan> {
  const plan = await planMigration(dir, {
    transforms: [clientTransform],
    ...(config ? { config: { ...defaultConfig, ...config } } : {}),
  })
  const updated = new Map<string, string>()
  const deleted: string[] = []
  for (const change of plan.changes) {
    if (change.kind === 'delete') deleted.push(change.path)
    else updated.set(change.path, change.text)
  }
  return { plan, updated, deleted, followUps: plan.followUps.filter((f) => f.transform === 'client') }
}

/** The URL the client posts `event` to; undefined when the event has no route or its route was dropped. */
export function routeUrl(plan: MigrationPlan, event: string): string | undefined {
  const route = plan.model.eventRoutes.get(event)
  return route && route.status !== 'dropped' ? route.url : undefined
}

/** Writes a small Nuxt repo: package.json with socket.io-client, a nuxt.config and the given files. */
export function writeRepo(dir: string, files: Record<string, string>): void {
  const all: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'client-case', private: true, type: 'module', dependencies: { nuxt: '^4.4.5', 'socket.io': '^4.8.1', 'socket.io-client': '^4.8.1' } }, null, 2) + '\n',
    'nuxt.config.ts': 'export default defineNuxtConfig({})\n',
    ...files,
  }
  for (const [file, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    writeFileSync(path.join(dir, file), text)
  }
}

/** A Nitro plugin handling the given client events, with socket auth, so the analysis routes them. */
export function serverPlugin(events: string[]): string {
  const handlers = events.map((event) => `    socket.on('${event}', (payload: { roomId: number }) => {\n      socket.to(\`room:\${payload.roomId}\`).emit('${event}', payload)\n    })\n`).join('')
  return `import { Server } from 'socket.io'

export default defineNitroPlugin(() => {
  const io = new Server()
  io.use(async (socket, next) => {
    const token = socket.handshake.auth.token as string | undefined
    if (!token) return next(new Error('Authentication token required'))
    socket.data.user = await verifyToken(token)
    next()
  })
  io.on('connection', (socket) => {
${handlers}  })
})
`
}
