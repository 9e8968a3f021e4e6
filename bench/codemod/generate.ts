/**
 * Deterministic synthetic Nuxt 4 repo: the same seed and size give the same bytes on every machine.
 * About 1% of the source files use Socket.IO (see templates-socket.ts); about 2% are decoys that say
 * `io` or `.emit(` without being Socket.IO, and many components use Vue's `emit`.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createRng, type Rng } from '../lib/prng.js'
import * as app from './templates-app.js'
import * as sock from './templates-socket.js'
import { areas, features, nouns, qualifiers } from './words.js'

export type FileKind =
  | 'page' | 'component' | 'options-component' | 'composable' | 'store' | 'server-route' | 'server-util'
  | 'app-util' | 'types' | 'config'
  | 'decoy-intersection-observer' | 'decoy-event-emitter'
  | 'socket-plugin' | 'socket-getter' | 'socket-route-stub' | 'socket-emit-route' | 'socket-client-composable'
  | 'socket-client-component'

export interface RepoManifest {
  seed: number
  /** Source files (.ts and .vue), the files a codemod scans. */
  files: number
  bytes: number
  byKind: Partial<Record<FileKind, number>>
  /** Repo-relative paths of the files that use Socket.IO. */
  socketFiles: string[]
  /** Components that call Vue's `emit(...)` / `this.$emit(...)`. */
  vueEmitFiles: number
}

/** Share of the ordinary files per kind; the rest of the mix is fixed counts below. */
const ordinaryWeights: [FileKind, number][] = [
  ['component', 30], ['page', 14], ['server-route', 20], ['composable', 9], ['app-util', 8],
  ['types', 7], ['store', 5], ['server-util', 4], ['options-component', 3],
]

function socketKinds(total: number): FileKind[] {
  const count = Math.max(6, Math.round(total * 0.01))
  const rest = count - 3
  const routes = Math.ceil(rest / 2)
  const composables = Math.floor(rest / 4)
  return [
    'socket-plugin', 'socket-getter', 'socket-route-stub',
    ...Array<FileKind>(routes).fill('socket-emit-route'),
    ...Array<FileKind>(composables).fill('socket-client-composable'),
    ...Array<FileKind>(rest - routes - composables).fill('socket-client-component'),
  ]
}

/** The kind of every source file, in a seed-shuffled order so socket files are spread through the tree. */
export function planKinds(total: number, rng: Rng): FileKind[] {
  const fixed: FileKind[] = [
    'config',
    ...socketKinds(total),
    ...Array<FileKind>(Math.max(1, Math.round(total * 0.01))).fill('decoy-intersection-observer'),
    ...Array<FileKind>(Math.max(1, Math.round(total * 0.01))).fill('decoy-event-emitter'),
  ]
  const weightSum = ordinaryWeights.reduce((sum, [, w]) => sum + w, 0)
  const ordinary: FileKind[] = []
  while (fixed.length + ordinary.length < total) {
    let roll = rng.next() * weightSum
    for (const [kind, weight] of ordinaryWeights) {
      roll -= weight
      if (roll < 0) { ordinary.push(kind); break }
    }
  }
  const kinds = [...fixed.slice(1), ...ordinary]
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.int(0, i)
    const tmp = kinds[i] as FileKind
    kinds[i] = kinds[j] as FileKind
    kinds[j] = tmp
  }
  return ['config', ...kinds]
}

const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

function pathFor(kind: FileKind, rng: Rng, noun: string): string {
  const feature = rng.pick(features)
  const area = rng.pick(areas)
  const lower = noun.toLowerCase()
  switch (kind) {
    case 'page': return `app/pages/${feature}/${area}/${lower}-${rng.pick(qualifiers).toLowerCase()}.vue`
    case 'component':
    case 'options-component': return `app/components/${pascal(feature)}/${area}/${noun}${rng.pick(qualifiers)}.vue`
    case 'composable': return `app/composables/${feature}/use${noun}${rng.pick(qualifiers)}.ts`
    case 'decoy-intersection-observer': return `app/composables/${feature}/useVisible${noun}.ts`
    case 'store': return `app/stores/${feature}/${lower}.ts`
    case 'server-route': return `server/api/${feature}/${lower}-${area}.${rng.pick(['get', 'post', 'put', 'delete'])}.ts`
    case 'server-util': return `server/utils/${feature}/${lower}-${area}.ts`
    case 'decoy-event-emitter': return `server/utils/${feature}/${lower}-events.ts`
    case 'app-util': return `app/utils/${feature}/${lower}-${area}.ts`
    case 'types': return `shared/types/${feature}/${lower}.ts`
    case 'config': return 'nuxt.config.ts'
    case 'socket-plugin': return 'server/plugins/socket.io.ts'
    case 'socket-getter': return 'server/utils/socket.ts'
    case 'socket-route-stub': return 'server/routes/socket.io.ts'
    case 'socket-emit-route': return `server/api/chat/${feature}/[roomId]/${lower}.post.ts`
    case 'socket-client-composable': return `app/composables/realtime/use${noun}${pascal(feature)}Socket.ts`
    case 'socket-client-component': return `app/components/Realtime/${pascal(feature)}${noun}Live.vue`
  }
}

function uniquePath(path: string, taken: Set<string>): string {
  if (!taken.has(path)) return path
  const dot = path.indexOf('.', path.lastIndexOf('/'))
  for (let n = 2; n <= taken.size + 2; n++) {
    const candidate = `${path.slice(0, dot)}${n}${path.slice(dot)}`
    if (!taken.has(candidate)) return candidate
  }
  throw new Error(`no free name for ${path}`)
}

const nuxtConfig = `export default defineNuxtConfig({
  compatibilityDate: '2025-07-15',
  devtools: { enabled: true },
  modules: ['@pinia/nuxt', '@nuxt/ui'],
  nitro: {
    experimental: { websocket: true },
    port: 4000,
  },
})
`

function contentFor(kind: FileKind, rng: Rng, noun: string, vueEmit: boolean): string {
  switch (kind) {
    case 'page': return app.page(rng, noun, rng.pick(features))
    case 'component': return app.component(rng, noun, vueEmit)
    case 'options-component': return app.optionsComponent(rng, noun)
    case 'composable': return app.composable(rng, noun)
    case 'decoy-intersection-observer': return app.intersectionComposable(rng, noun)
    case 'store': return app.store(rng, noun)
    case 'server-route': return app.serverRoute(rng, noun, rng.pick(['get', 'post']))
    case 'server-util': return app.util(rng, noun)
    case 'decoy-event-emitter': return app.eventEmitterUtil(rng, noun)
    case 'app-util': return app.util(rng, noun)
    case 'types': return app.types(rng, noun)
    case 'config': return nuxtConfig
    case 'socket-plugin': return sock.socketPlugin()
    case 'socket-getter': return sock.socketGetter()
    case 'socket-route-stub': return sock.socketRouteStub()
    case 'socket-emit-route': return sock.socketEmitRoute(rng, noun, rng.int(0, 5))
    case 'socket-client-composable': return sock.socketClientComposable(rng, noun)
    case 'socket-client-component': return sock.socketClientComponent(rng, noun)
  }
}

const packageJson = {
  name: 'synthetic-tutor-app',
  private: true,
  type: 'module',
  scripts: { dev: 'nuxt dev', build: 'nuxt build' },
  dependencies: {
    '@socket.io/redis-adapter': '^8.2.1',
    ioredis: '^5.4.1',
    nuxt: '^4.0.0',
    pinia: '^3.0.0',
    'socket.io': '^4.8.1',
    'socket.io-client': '^4.8.1',
    vue: '^3.5.0',
  },
}

/** Write a repo of `files` source files into `dir` (which should be empty) and describe what it holds. */
export function generateRepo(dir: string, files: number, seed = 20261122): RepoManifest {
  const rng = createRng(seed)
  const kinds = planKinds(files, rng)
  const taken = new Set<string>()
  const manifest: RepoManifest = { seed, files: 0, bytes: 0, byKind: {}, socketFiles: [], vueEmitFiles: 0 }
  const write = (rel: string, text: string): void => {
    const abs = join(dir, rel)
    mkdirSync(dirname(abs), { recursive: true })
    writeFileSync(abs, text)
  }
  for (const kind of kinds) {
    const noun = rng.pick(nouns)
    const path = uniquePath(pathFor(kind, rng, noun), taken)
    taken.add(path)
    const vueEmit = kind === 'options-component' || (kind === 'component' && rng.chance(0.4))
    const text = contentFor(kind, rng, noun, vueEmit)
    write(path, text)
    manifest.files++
    manifest.bytes += Buffer.byteLength(text)
    manifest.byKind[kind] = (manifest.byKind[kind] ?? 0) + 1
    if (kind.startsWith('socket-')) manifest.socketFiles.push(path)
    if (vueEmit) manifest.vueEmitFiles++
  }
  write('package.json', `${JSON.stringify(packageJson, null, 2)}\n`)
  write('.gitignore', 'node_modules\n.nuxt\n.output\ndist\n')
  write('.env.example', 'SOCKET_IO_PORT=4000\nSOCKET_IO_CORS_ORIGIN=*\nSOCKET_IO_PATH=/socket.io\n')
  write('docs/SOCKET_IO_SETUP.md', '# Socket.IO setup\n\nThe chat uses Socket.IO on the Nitro server (see server/plugins/socket.io.ts).\n')
  manifest.socketFiles.sort()
  return manifest
}
