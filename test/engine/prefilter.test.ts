import { describe, expect, it } from 'vitest'
import { selectCandidates } from '../../src/project/candidates.js'
import { mayUseSocketIO } from '../../src/project/prefilter.js'

describe('pre-filter signals (phase 1)', () => {
  it('accepts every PATTERNS.md shape that names Socket.IO or where io lives', () => {
    for (const code of [
      "import { Server } from 'socket.io'", // C1, C8
      "const { io } = require('socket.io-client')",
      "import { createAdapter } from '@socket.io/redis-adapter'", // C9
      "import { Server as Engine } from 'engine.io'", // C2
      'const engine = new Engine(); io.bind(engine)', // C2
      'export default async (nitroApp) => {}', // C3
      "nitroApp.hooks.hook('listen', (server) => io.attach(server))", // C4
      'global.io ??= new Server(event.node.res.socket?.server)', // C5
      'export const io = new Server()', // C7
      'new Server<ClientToServerEvents, ServerToClientEvents>()', // C8
      'nitroApp.io = io', // A1
      'const io = (useNitroApp() as any).io', // A1
      'globalThis.io?.to(room).emit("x")', // A2
      'event.context.io.to(room).emit("x")', // A3
      'socketServer.io?.to(room).emit("x")', // A4
      'event.context.appSocket = { emit(channel, msg) {} }', // A6
      'export function register(io) { io.on("connection", handle) }', // io handed in as a parameter
      'io.to(a).except(b).emit("x")', // E5
      'io.volatile.emit("tick")', // E7
      'const { $socket } = useNuxtApp()', // client plugin
      'const client = useNuxtApp().$io', // a plugin providing `io`
      'socket.value?.emit("typing")',
      'const s = io(url, { auth: { token } })', // the client factory
    ]) {
      expect(mayUseSocketIO(code), code).toBe(true)
    }
  })

  it('rejects Vue emits, EventEmitter, an IntersectionObserver called io and ordinary code', () => {
    for (const code of [
      "const emit = defineEmits<{ 'update:modelValue': [string] }>()\nemit('update:modelValue', value)",
      "this.$emit('close')",
      "import { EventEmitter } from 'node:events'\nconst bus = new EventEmitter()\nbus.emit('saved', row)",
      'let io: IntersectionObserver | null = null\nio = new IntersectionObserver(cb)\nio.observe(el)\nio?.disconnect()',
      'export const format = (n: number) => n.toFixed(2)',
      'export default defineEventHandler(() => ({ ok: true }))',
      'const ratio = width / height',
      "const server = createServer(app)",
    ]) {
      expect(mayUseSocketIO(code), code).toBe(false)
    }
  })
})

describe('candidate selection (phase 2)', () => {
  const select = (texts: Record<string, string>, resolve: Record<string, string> = {}) =>
    [
      ...selectCandidates({
        texts: new Map(Object.entries(texts)),
        autoImportDirs: ['app/composables', 'app/utils', 'app/stores', 'server/utils', 'shared/utils'],
        resolveImportPath: (from, specifier) => resolve[`${from} ${specifier}`],
      }),
    ].sort()

  it('follows an auto-imported getter and an import of a singleton module (A4, A5)', () => {
    const texts = {
      'server/utils/socket.ts': "import type { Server } from 'socket.io'\nexport function getSocketIO(): Server | undefined { return globalThis.io }\n",
      'server/api/notify.post.ts': "export default defineEventHandler(() => { const io = getSocketIO(); io?.to('a').emit('x') })\n",
      'server/utils/holder.ts': 'export default { io: null as any }\n',
      'server/api/ping.post.ts': "import holder from '../utils/holder'\nexport default defineEventHandler(() => holder.io?.emit('x'))\n",
      'server/api/users.get.ts': 'export default defineEventHandler(() => [])\n',
    }
    // The holder itself says nothing of io: the analysis parses it as the import of a parsed file.
    expect(select(texts, { 'server/api/ping.post.ts ../utils/holder': 'server/utils/holder.ts' })).toEqual([
      'server/api/notify.post.ts',
      'server/api/ping.post.ts',
      'server/utils/socket.ts',
    ])
  })

  it('selects the importers of a candidate module (resolved, not guessed from the name)', () => {
    const texts = {
      'server/lib/realtime.ts': "import type { Server } from 'socket.io'\nexport const hub: { server?: Server } = {}\n",
      'server/api/send.post.ts': "import { hub as h } from '~~/server/lib/realtime'\nexport default defineEventHandler(() => h.server?.to('r').emit('x'))\n",
    }
    expect(select(texts, { 'server/api/send.post.ts ~~/server/lib/realtime': 'server/lib/realtime.ts' })).toEqual([
      'server/api/send.post.ts',
      'server/lib/realtime.ts',
    ])
  })

  it('reaches through a chain of composables to the component, to a fixpoint', () => {
    const texts = {
      'app/composables/useRealtime.ts': "import { io } from 'socket.io-client'\nexport const useRealtime = () => io()\n",
      'app/composables/useChat.ts': 'export function useChat() { const rt = useRealtime(); return { send: (m) => rt.emit("send", m) } }\n',
      'app/components/Chat.vue': '<script setup>\nconst chat = useChat()\n</script>\n',
      'app/components/Button.vue': "<script setup>\nconst emit = defineEmits(['click'])\n</script>\n",
    }
    expect(select(texts)).toEqual(['app/components/Chat.vue', 'app/composables/useChat.ts', 'app/composables/useRealtime.ts'])
  })

  it('follows a name a candidate plugin provides and a provide() key', () => {
    const texts = {
      'app/plugins/realtime.client.ts': "import { io } from 'socket.io-client'\nexport default defineNuxtPlugin(() => ({ provide: { rt: io() } }))\n",
      'app/components/Live.vue': '<script setup>\nconst { $rt } = useNuxtApp()\n$rt.on("x", f)\n</script>\n',
      'app/app.vue': "<script setup>\nimport { io } from 'socket.io-client'\nprovide('realtime', io())\n</script>\n",
      'app/components/Child.vue': "<script setup>\nconst rt = inject('realtime')\n</script>\n",
      'app/components/Plain.vue': "<script setup>\nconst theme = inject('theme')\n</script>\n",
    }
    expect(select(texts)).toEqual(['app/app.vue', 'app/components/Child.vue', 'app/components/Live.vue', 'app/plugins/realtime.client.ts'])
  })

  it('does not follow an import whose path only shares the file name', () => {
    const texts = {
      'server/plugins/live.ts': 'export const server = new Server()\n',
      'app/utils/format.ts': "import { x } from './live'\nexport const f = () => x\n",
    }
    // `./live` from app/utils resolves to app/utils/live.ts, not to the server plugin.
    expect(select(texts, { 'app/utils/format.ts ./live': 'app/utils/live.ts' })).toEqual(['server/plugins/live.ts'])
  })
})
