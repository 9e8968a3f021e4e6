import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/cli.js'
import { copyFixtureTree } from '../helpers/tree.js'
import { fixtureBefore, planClient, routeUrl, serverPlugin, writeRepo } from './helpers.js'

const temp = tempDir('tsm-client-')
afterAll(() => temp.cleanup())
let cases = 0
const caseDir = (): string => path.join(temp.dir, `case-${++cases}`)

/** The `return { ... }` of a composable, which the components destructure. */
const returnShape = (text: string): string | undefined => /\n {2}return \{[\s\S]*?\n {2}\}\n\}/.exec(text)?.[0]

describe('tutor-school client', () => {
  it('leaves no socket.io-client in app/, keeps what components destructure, and calls the shared route table', async () => {
    const dir = fixtureBefore('tutor-school')
    const { plan, updated, followUps } = await planClient(dir)
    const appFiles = plan.repo.files.filter((file) => file.startsWith('app/'))
    for (const file of appFiles) {
      const text = updated.get(file) ?? readFileSync(path.join(dir, file), 'utf8')
      expect(text, file).not.toMatch(/socket\.io-client|\bSocket\b.*from/)
      expect(text, file).not.toMatch(/\.emit(WithAck)?\(\s*['"](join_room|leave_room|send_message|typing|stop_typing|mark_read)/)
    }
    const before = readFileSync(path.join(dir, 'app/composables/useChat.ts'), 'utf8')
    const after = updated.get('app/composables/useChat.ts')!
    expect(returnShape(after)).toBe(returnShape(before))
    const emitted = [...before.matchAll(/\.emit\('(\w+)'/g)].map((m) => m[1]!)
    expect(emitted.length).toBeGreaterThan(3)
    for (const event of emitted) {
      const route = plan.model.eventRoutes.get(event)
      expect(route, event).toBeDefined()
      // send_message waits for its ack; the others are fire-and-forget statements, which must never reject.
      expect(after).toContain(`${event === 'send_message' ? 'send<AckResponse<Message>>' : 'post'}('${routeUrl(plan, event)}'`)
    }
    expect(followUps.filter((f) => f.severity !== 'info')).toEqual([])
    // The server answered failures with socket.emit('error'), so the kept error listener is told where they come from now.
    const errorReplies = followUps.filter((f) => f.kind === 'client/error-replies')
    expect(errorReplies.map((f) => [f.file, f.line])).toEqual([['app/composables/useChat.ts', 71]])
  })
})

describe('emits', () => {
  const client = `import { io } from 'socket.io-client'

export function useRoom(room: { id: number }) {
  const socket = io({ auth: { token: localStorage.getItem('token') } })

  function typing() {
    socket.emit('typing', { roomId: room.id })
  }

  function wave() {
    socket.emit('wave', { roomId: room.id })
  }

  async function send(content: string) {
    const saved: { id: number } = await socket.emitWithAck('send_message', { roomId: room.id, content })
    socket.emit('send_message', { roomId: room.id, content }, (res: { id: number }) => console.log(res.id))
    socket.emit('send_message', { roomId: room.id, content }, (res) => console.log(res.id))
    return saved
  }

  function typingAgain() {
    socket.on('error', (e: { message: string }) => console.warn(e.message))
    void socket.emit('typing', { roomId: room.id })
    return socket.emit('typing', { roomId: room.id })
  }

  function sendOrFail(content: string) {
    return new Promise<number>((resolve, fail) => {
      socket.emit('send_message', { roomId: room.id, content }, (res: { id: number }) => resolve(res.id))
    })
  }

  return { typing, wave, send, typingAgain, sendOrFail }
}
`
  const dir = caseDir()
  writeRepo(dir, {
    'server/plugins/socket.io.ts': serverPlugin(['typing', 'send_message']),
    'server/api/rooms/[roomId]/typing.post.ts': 'export default defineEventHandler(() => ({ ok: true }))\n',
    'tutor-sse-migrate.config.json': JSON.stringify({ events: { typing: { existing: '/api/rooms/:roomId/typing' } } }),
    'app/composables/useRoom.ts': client,
  })

  it('call the route the shared table holds, with path parameters taken from the payload', async () => {
    const { plan, updated } = await planClient(dir)
    const text = updated.get('app/composables/useRoom.ts')!
    expect(routeUrl(plan, 'typing')).toBe('/api/rooms/:roomId/typing')
    expect(text).toContain("    socket.post(`/api/rooms/${room.id}/typing`, { roomId: room.id })")
  })

  it('whose result nobody uses become post(), which never rejects; a returned one stays send()', async () => {
    const { updated, followUps } = await planClient(dir)
    const text = updated.get('app/composables/useRoom.ts')!
    expect(text).toContain("    void socket.post(`/api/rooms/${room.id}/typing`, { roomId: room.id })")
    expect(text).toContain("    return socket.send(`/api/rooms/${room.id}/typing`, { roomId: room.id })")
    // This server never replied with socket.emit('error'): the error listener is kept and nothing is said about it.
    expect(text).toContain("socket.on('error', (e: { message: string }) => console.warn(e.message))")
    expect(followUps.filter((f) => f.kind === 'client/error-replies')).toEqual([])
  })

  it('hand the response to the ack, or return it for emitWithAck, typed as the code declared it', async () => {
    const { plan, updated, followUps } = await planClient(dir)
    const url = routeUrl(plan, 'send_message')
    const text = updated.get('app/composables/useRoom.ts')!
    expect(text).toContain(`const saved: { id: number } = await socket.send<{ id: number }>('${url}', { roomId: room.id, content })`)
    // A statement: post() never rejects, so a refused request cannot become an unhandled rejection.
    expect(text).toContain(`socket.post<{ id: number }>('${url}', { roomId: room.id, content }, (res: { id: number }) => console.log(res.id))`)
    expect(followUps.filter((f) => f.kind === 'client/ack-on-success-only').map((f) => `${f.line} ${f.severity}`)).toEqual(['16 info', '17 info'])
  })

  it('inside a promise executor settle that promise when the request is refused, as a failed ack did', async () => {
    const { plan, updated } = await planClient(dir)
    const url = routeUrl(plan, 'send_message')
    expect(updated.get('app/composables/useRoom.ts')).toContain(
      `socket.send<{ id: number }>('${url}', { roomId: room.id, content }).then((res: { id: number }) => resolve(res.id), fail)`,
    )
  })

  it('with an untyped ack that reads the response keep it `any`, as socket.io typed it, so the code type-checks as before', async () => {
    const { plan, updated } = await planClient(dir)
    const url = routeUrl(plan, 'send_message')
    expect(updated.get('app/composables/useRoom.ts')).toContain(`socket.post<any>('${url}', { roomId: room.id, content }, (res) => console.log(res.id))`)
  })

  it('of an event no handler of the app\'s server receives are removed, as Socket.IO dropped them, and reported', async () => {
    const { updated, followUps } = await planClient(dir)
    // Left on the SSE handle, the emit would throw: the handle has no emit.
    expect(updated.get('app/composables/useRoom.ts')).not.toContain("'wave'")
    const report = followUps.find((f) => f.kind === 'client/emit-no-receiver')
    expect(report).toMatchObject({ file: 'app/composables/useRoom.ts', line: 11, severity: 'info' })
    expect(report?.reason).toContain('`wave`')
  })

  it('and listeners of events the server never emits are noted once per event, not at every call site', async () => {
    const dir = caseDir()
    const composable = (name: string) => `import { io } from 'socket.io-client'
export function ${name}() {
  const socket = io()
  socket.on('typing', (e: unknown) => console.log(e))
  socket.on('ghost', (e: unknown) => console.log(e))
  socket.emit('wave', { roomId: 1 })
  return { socket }
}
`
    writeRepo(dir, { 'server/plugins/socket.io.ts': serverPlugin(['typing']), 'app/composables/useA.ts': composable('useA'), 'app/composables/useB.ts': composable('useB') })
    const { updated, followUps } = await planClient(dir)
    const notes = followUps.filter((f) => f.kind === 'client/emit-no-receiver' || f.kind === 'client/listener-never-emitted')
    expect(notes.map((f) => `${f.file}:${f.line} ${f.kind}`)).toEqual(['app/composables/useA.ts:5 client/listener-never-emitted', 'app/composables/useA.ts:6 client/emit-no-receiver'])
    expect(notes[1]!.reason).toContain('and so were the 1 other emit(s) of it')
    for (const file of ['app/composables/useA.ts', 'app/composables/useB.ts']) {
      expect(updated.get(file)).not.toContain("'wave'")
      expect(updated.get(file)).toContain("socket.on('ghost'")
    }
  })

  it('to a server whose connection handler the tool cannot see are not removed: that handler may receive them, so the file stays on Socket.IO, named', async () => {
    const blind = caseDir()
    writeRepo(blind, {
      // The connection handler is wired up in a module the analysis does not follow.
      'server/plugins/socket.io.ts': `import { Server } from 'socket.io'
import { wireHandlers } from '../realtime/wire'
export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  nitroApp.io = io
  wireHandlers(io)
})
`,
      'app/composables/useRoom.ts': `import { io } from 'socket.io-client'
export function useRoom() {
  const socket = io()
  socket.emit('wave', { roomId: 1 })
  return { socket }
}
`,
    })
    const { updated, followUps } = await planClient(blind)
    expect(updated.has('app/composables/useRoom.ts')).toBe(false)
    expect(followUps.find((f) => f.kind === 'client/socket-kept')?.reason).toContain('`wave` (it was taken back to Socket.IO: app/composables/useRoom.ts: `socket.emit`: the SSE handle from useChatSSE() has no `emit`)')
  })
})

describe('io() options', () => {
  it('keep the credential as the token getter, drop transport options, and connect unless autoConnect is false', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'app/composables/useA.ts': `import { io } from 'socket.io-client'
export const useA = () => {
  const socket = io('https://chat.example.com', { extraHeaders: { Authorization: \`Bearer \${getToken()}\` }, transports: ['websocket'], reconnectionDelay: 200 })
  return { socket }
}
`,
      'app/composables/useB.ts': `import { io } from 'socket.io-client'
export const useB = () => {
  const socket = io({ auth: (cb) => cb({ token: sessionStorage.getItem('jwt') }), autoConnect: false })
  return { socket }
}
`,
    })
    const { updated, followUps } = await planClient(dir)
    expect(updated.get('app/composables/useA.ts')).toBe(`export const useA = () => {
  const socket = useChatSSE({ token: () => getToken() })
  socket.connect()
  return { socket }
}
`)
    expect(updated.get('app/composables/useB.ts')).toBe(`export const useB = () => {
  const socket = useChatSSE({ token: () => sessionStorage.getItem('jwt') })
  return { socket }
}
`)
    expect(followUps.map((f) => `${f.file}:${f.line} ${f.kind}`)).toEqual(['app/composables/useA.ts:3 client/socket-url-dropped'])
  })
})

describe('a credential read through a composable', () => {
  it('moves into a variable named after it, unless a binding of that name is in sight', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'app/composables/useC.ts': `import { io } from 'socket.io-client'
export const useC = () => {
  const socket = io({ auth: { token: useCookie('token').value } })
  return { socket }
}
`,
      'app/composables/useD.ts': `import { io } from 'socket.io-client'
const token = 'a module-level value'
export const useD = () => {
  const socket = io({ auth: { token: useCookie('token').value } })
  return { socket, token }
}
`,
    })
    const { updated } = await planClient(dir)
    expect(updated.get('app/composables/useC.ts')).toBe(`export const useC = () => {
  const token = useCookie('token')
  const socket = useChatSSE({ token: () => token.value })
  socket.connect()
  return { socket }
}
`)
    expect(updated.get('app/composables/useD.ts')).toContain(`  const token2 = useCookie('token')
  const socket = useChatSSE({ token: () => token2.value })
  socket.connect()
  return { socket, token }`)
  })
})

describe('a variable only the socket URL read', () => {
  it('goes with the io() call even where the route table, which has its own `url`, is added', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'server/plugins/socket.io.ts': serverPlugin(['typing']),
      'app/composables/useRelay.ts': `import { io } from 'socket.io-client'

export function useRelay() {
  const url = useRuntimeConfig().public.chatUrl
  const socket = io(url)
  const relay = (event: string, payload: unknown) => socket.emit(event, payload)
  return { relay }
}
`,
    })
    const { updated } = await planClient(dir)
    const text = updated.get('app/composables/useRelay.ts')!
    expect(text).toContain('function chatEventRoute(event: string): string {')
    expect(text).not.toContain('useRuntimeConfig')
    expect(text).toContain(`export function useRelay() {
  const socket = useChatSSE()
  socket.connect()
  const relay = (event: string, payload: unknown) => socket.send(chatEventRoute(event), payload)`)
  })
})

describe('io() reconnection options', () => {
  it('carry the bound on reconnect attempts over to the stream, none when reconnection was off', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'app/composables/useA.ts': `import { io } from 'socket.io-client'
const MAX_RETRIES = 4
export const useA = () => {
  const socket = io({ auth: { token: getToken() }, reconnection: true, reconnectionAttempts: 5, reconnectionDelay: 1000 })
  const other = io({ reconnectionAttempts: MAX_RETRIES })
  return { socket, other }
}
`,
      'app/composables/useB.ts': `import { io } from 'socket.io-client'
export const useB = () => {
  const socket = io({ reconnection: false, reconnectionAttempts: 3 })
  return { socket }
}
`,
    })
    const { updated, followUps } = await planClient(dir)
    expect(updated.get('app/composables/useA.ts')).toContain(`  const socket = useChatSSE({ token: () => getToken(), reconnectAttempts: 5 })
  socket.connect()
  const other = useChatSSE({ reconnectAttempts: MAX_RETRIES })
`)
    expect(updated.get('app/composables/useB.ts')).toContain('  const socket = useChatSSE({ reconnectAttempts: 0 })\n')
    expect(followUps).toEqual([])
  })
})

describe('URLs of the generated routes', () => {
  const composable = `import { io } from 'socket.io-client'

export const useChat = () => {
  const config = useRuntimeConfig()
  let socket: ReturnType<typeof io> | null = null

  const loadRooms = () => $fetch(\`\${config.public.apiBase}/chat/rooms\`)

  const connect = () => {
    socket = io({ auth: { token: 'x' } })
  }

  const typing = (roomId: number) => {
    socket?.emit('typing', { roomId })
  }

  return { loadRooms, connect, typing }
}
`
  const component = `<script setup lang="ts">
import { io } from 'socket.io-client'

const socket = io()
const wave = () => socket.emit('typing', { roomId: 2 })
</script>
`
  const repo = (apiBase: string, routes: Record<string, string> = { 'server/api/chat/rooms.get.ts': 'export default defineEventHandler(() => [])\n' }) => {
    const dir = caseDir()
    writeRepo(dir, {
      'nuxt.config.ts': `export default defineNuxtConfig({\n  runtimeConfig: {\n    public: {\n      apiBase: ${apiBase},\n    },\n  },\n})\n`,
      'server/plugins/socket.io.ts': serverPlugin(['typing']),
      'app/composables/useChat.ts': composable,
      'app/components/Wave.vue': component,
      ...routes,
    })
    return dir
  }

  it("are built from the runtime-config base the app's REST calls use when it is this app's /api", async () => {
    const { updated } = await planClient(repo("process.env.API_BASE || '/api'"))
    const chat = updated.get('app/composables/useChat.ts')!
    expect(chat).toContain("    socket = useChatSSE({ token: () => 'x', baseURL: `${config.public.apiBase}/chat` })")
    expect(chat).toContain('    socket?.post(`${config.public.apiBase}/chat/typing`, { roomId })')
    // A script without a runtime config of its own reads it where the request is made.
    const wave = updated.get('app/components/Wave.vue')!
    expect(wave).toContain('const socket = useChatSSE({ baseURL: `${useRuntimeConfig().public.apiBase}/chat` })')
    expect(wave).toContain("const wave = () => socket.send(`${useRuntimeConfig().public.apiBase}/chat/typing`, { roomId: 2 })")
  })

  it('stay /api/... when that base names another server or its calls reach no route of this app', async () => {
    const external = await planClient(repo("'https://api.example.com/v1'"))
    expect(external.updated.get('app/composables/useChat.ts')).toContain("    socket?.post('/api/chat/typing', { roomId })")
    expect(external.updated.get('app/composables/useChat.ts')).toContain("    socket = useChatSSE({ token: () => 'x' })")
    const noRoute = await planClient(repo("'/api'", {}))
    expect(noRoute.updated.get('app/composables/useChat.ts')).toContain("    socket?.post('/api/chat/typing', { roomId })")
  })
})

describe('lifecycle handlers', () => {
  it("that test Socket.IO's transport errors or disconnect reasons are reported: the stream never produces them", async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'app/composables/useLive.ts': `import { io } from 'socket.io-client'
export const useLive = () => {
  const socket = io()
  socket.on('connect_error', (error) => {
    if (error.message?.includes('Authentication')) return
    if (error.message?.includes('timeout') || error.message === 'xhr poll error') setTimeout(() => socket.connect(), 3000)
  })
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') socket.connect()
  })
  socket.on('connect', () => console.log('timeout'))
  return socket
}
`,
    })
    const { updated, followUps } = await planClient(dir)
    expect(updated.get('app/composables/useLive.ts')).toContain("  socket.onError((error) => {\n    if (error.message?.includes('Authentication')) return")
    const reported = followUps.filter((f) => f.kind === 'client/socket-io-error-strings')
    expect(reported.map((f) => [f.line, f.severity])).toEqual([[6, 'warning'], [9, 'warning']])
    expect(reported[0]!.reason).toContain("tests `timeout`, `xhr poll error`: messages of Socket.IO's transports")
    expect(reported[1]!.reason).toContain("tests `io server disconnect`: Socket.IO's disconnect reasons")
  })
})

describe('a stream reset (the server could not replay what was missed)', () => {
  const files = {
    'server/plugins/socket.io.ts': serverPlugin(['join_room']),
    // Rooms reload whenever the socket connects; messages are loaded per room by the page.
    'app/composables/useInbox.ts': `import { io, type Socket } from 'socket.io-client'

export const useInbox = () => {
  const socket = ref<Socket | null>(null)
  const connected = ref(false)
  const rooms = ref<{ id: number; unread: number }[]>([])
  const current = ref<{ id: number } | null>(null)
  const messages = ref(new Map<number, { id: number; read: boolean }[]>())

  const connect = () => {
    socket.value = io({ auth: { token: 'x' } })
    socket.value.on('connect', () => {
      connected.value = true
    })

    socket.value.on('new_message', (message: { id: number; roomId: number; read: boolean }) => {
      const list = messages.value.get(message.roomId) || []
      list.push(message)
      messages.value.set(message.roomId, list)
    })

    socket.value.on('room_read', (data: { roomId: number }) => {
      const room = rooms.value.find((r) => r.id === data.roomId)
      if (room) room.unread = 0
      ;(messages.value.get(data.roomId) ?? []).forEach((m) => {
        m.read = true
      })
    })
  }

  const loadRooms = async () => {
    try {
      rooms.value = await $fetch<{ id: number; unread: number }[]>('/api/rooms')
    } catch (error) {
      console.error(error)
    }
  }

  const loadRoom = async (roomId: number) => {
    current.value = await $fetch<{ id: number }>(\`/api/rooms/\${roomId}\`)
  }

  const loadMessages = async (roomId: number, limit = 50) => {
    try {
      const list = await $fetch<{ id: number; read: boolean }[]>(\`/api/rooms/\${roomId}/messages?limit=\${limit}\`)
      messages.value.set(roomId, list)
      return list
    } catch (error) {
      console.error(error)
      throw error
    }
  }

  watch(connected, (isConnected) => {
    if (isConnected) setTimeout(() => loadRooms(), 200)
  })

  return { connect, loadRoom, loadMessages }
}
`,
    // One room's messages, loaded once on mount with the app's own failure handling.
    'app/composables/useRoom.ts': `import { io } from 'socket.io-client'

export function useRoom(roomId: number) {
  const messages = ref<{ id: number }[]>([])
  const problem = ref<string | null>(null)
  const socket = io()

  async function loadMessages() {
    messages.value = await $fetch<{ id: number }[]>(\`/api/rooms/\${roomId}/messages\`)
  }

  socket.on('new_message', (message: { id: number }) => {
    messages.value.push(message)
  })

  onMounted(() => {
    loadMessages().catch((err: Error) => { problem.value = err.message })
  })

  async function send(text: string) {
    messages.value.push(await $fetch<{ id: number }>('/api/messages', { method: 'POST', body: { text } }))
  }

  return { messages, problem, send }
}
`,
    // Live counters with nothing that loads them.
    'app/composables/useTicker.ts': `import { io } from 'socket.io-client'

export function useTicker() {
  const online = ref(0)
  const socket = io()
  socket.on('online_count', (count: number) => {
    online.value = count
  })
  socket.on('hello', (text: string) => console.log(text))
  return { online }
}
`,
  }

  it("reloads, after the listeners, the state they keep, with the app's own loaders, once per key of a Map a loader fills", async () => {
    const dir = caseDir()
    writeRepo(dir, files)
    const { updated, followUps } = await planClient(dir)
    const inbox = updated.get('app/composables/useInbox.ts')!
    // loadRooms already runs on every (re)connect, loadRoom loads what no listener changes.
    expect(inbox).toContain(`        m.read = true
      })
    })

    socket.value.onReset(() => {
      for (const roomId of messages.value.keys()) {
        loadMessages(roomId).catch((error) => console.error(error))
      }
    })
  }
`)
    expect(updated.get('app/composables/useRoom.ts')).toContain(`  socket.on('new_message', (message: { id: number }) => {
    messages.value.push(message)
  })
  socket.onReset(() => loadMessages().catch((err: Error) => { problem.value = err.message }))
`)
    const wired = followUps.filter((f) => f.kind === 'client/reset-wired')
    expect(wired.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual(['app/composables/useInbox.ts:16 info', 'app/composables/useRoom.ts:12 info'])
  })

  it("calls a store's own loading action from the action that registers the listeners", async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'app/stores/notes.ts': `import { defineStore } from 'pinia'
import { io, type Socket } from 'socket.io-client'

export const useNotesStore = defineStore('notes', {
  state: () => ({ socket: null as Socket | null, notes: [] as string[] }),
  actions: {
    async fetchNotes() {
      this.notes = await $fetch<string[]>('/api/notes')
    },
    start() {
      this.socket = io()
      this.socket.on('note', (note: string) => {
        this.notes.push(note)
      })
    },
  },
})
`,
    })
    const { updated } = await planClient(dir)
    expect(updated.get('app/stores/notes.ts')).toContain(`      this.socket.on('note', (note: string) => {
        this.notes.push(note)
      })
      this.socket.onReset(() => this.fetchNotes().catch((error) => console.error(error)))
`)
  })

  it('is reported where the listeners are when nothing in the file loads what they keep', async () => {
    const dir = caseDir()
    writeRepo(dir, files)
    const { updated, followUps } = await planClient(dir)
    expect(updated.get('app/composables/useTicker.ts')).not.toContain('onReset')
    const stale = followUps.filter((f) => f.kind === 'client/reset-not-wired')
    expect(stale.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual(['app/composables/useTicker.ts:6 warning'])
    expect(stale[0]!.reason).toContain('these listeners keep `online` up to date from the stream')
    expect(stale[0]!.action).toContain('call socket.onReset(() => …) after these listeners')
  })

  it('reopens the one entity a ref holds, with the property the code compares ids against, when its loader fetched it by that parameter', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'server/plugins/socket.io.ts': serverPlugin(['join_thread']),
      // The page shows one thread: its loader fetches it by id and the listeners compare against its id.
      'app/composables/useThread.ts': `import { io } from 'socket.io-client'

type Thread = { id: number; title: string }
type Reply = { id: number; threadId: number }

export function useThread() {
  const socket = io()
  const thread = ref<Thread | null>(null)
  const replies = ref<Reply[]>([])
  const problem = ref('')

  async function openThread(threadId: number) {
    const found = await $fetch<{ thread: Thread }>(\`/api/threads/\${threadId}\`)
    thread.value = found.thread
    replies.value = await $fetch<Reply[]>(\`/api/threads/\${threadId}/replies\`)
  }

  socket.on('reply', (reply: Reply) => {
    if (reply.threadId === thread.value?.id) replies.value.push(reply)
  })

  function pick(threadId: number) {
    openThread(threadId).catch((err: Error) => { problem.value = err.message })
  }

  return { thread, replies, problem, pick }
}
`,
      // The page has an \`error\` of its own: the logged failure takes the name the file's handlers give theirs.
      'app/composables/useLesson.ts': `import { io } from 'socket.io-client'

export function useLesson() {
  const socket = io()
  const lesson = ref<{ id: number; notes: string[] } | null>(null)
  const lessons = ref<{ id: number }[]>([])
  const error = ref('')

  async function openLesson(lessonId: number) {
    lesson.value = await $fetch<{ id: number; notes: string[] }>('/api/lessons/' + encodeURIComponent(lessonId))
  }

  socket.on('note', (data: { lessonId: number; note: string }) => {
    if (data.lessonId === lesson.value?.id) lesson.value.notes.push(data.note)
  })

  onMounted(() => {
    $fetch<{ id: number }[]>('/api/lessons').then((list) => { lessons.value = list }).catch((err: any) => { error.value = err.message })
  })

  return { lesson, lessons, error, openLesson }
}
`,
      // A store whose board is named by its slug, loaded with its cards side by side.
      'app/stores/board.ts': `import { defineStore } from 'pinia'
import { io, type Socket } from 'socket.io-client'

interface Board { slug: string; name: string }
interface Card { id: number; board: string }

export const useBoardStore = defineStore('board', {
  state: () => ({ socket: null as Socket | null, board: null as Board | null, cards: [] as Card[] }),
  actions: {
    async showBoard(slug: string) {
      const [board, cards] = await Promise.all([$fetch<Board>(\`/api/boards/\${slug}?full=1\`), $fetch<Card[]>(\`/api/boards/\${slug}/cards\`)])
      this.board = board
      this.cards = cards
    },
    start() {
      this.socket = io()
      this.socket.on('card_added', (card: Card) => {
        if (card.board !== this.board?.slug) return
        this.cards.push(card)
      })
    },
  },
})
`,
    })
    const { updated, followUps } = await planClient(dir)
    expect(updated.get('app/composables/useThread.ts')).toContain(`  socket.on('reply', (reply: Reply) => {
    if (reply.threadId === thread.value?.id) replies.value.push(reply)
  })
  socket.onReset(() => {
    if (thread.value) {
      openThread(thread.value.id).catch((err: Error) => { problem.value = err.message })
    }
  })
`)
    expect(updated.get('app/stores/board.ts')).toContain(`        this.cards.push(card)
      })
      this.socket.onReset(() => {
        if (this.board) this.showBoard(this.board.slug).catch((error) => console.error(error))
      })
`)
    expect(updated.get('app/composables/useLesson.ts')).toContain(`    if (data.lessonId === lesson.value?.id) lesson.value.notes.push(data.note)
  })
  socket.onReset(() => {
    if (lesson.value) openLesson(lesson.value.id).catch((err) => console.error(err))
  })
`)
    expect(followUps.filter((f) => f.kind === 'client/reset-not-wired')).toEqual([])
    const wired = followUps.filter((f) => f.kind === 'client/reset-wired')
    expect(wired.map((f) => `${f.file}:${f.line}`)).toEqual(['app/composables/useLesson.ts:13', 'app/composables/useThread.ts:18', 'app/stores/board.ts:17'])
    expect(wired[1]!.reason).toContain('openThread(thread.value.id) while thread.value holds one')
  })

  it('is still reported when nothing shows which value of the entity its loader was called with', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      // The summary belongs to a room: its id is not the room's.
      'app/composables/useSummary.ts': `import { io } from 'socket.io-client'

export function useSummary() {
  const socket = io()
  const summary = ref<{ id: number; total: number } | null>(null)
  async function loadSummary(roomId: number) {
    summary.value = await $fetch<{ id: number; total: number }>(\`/api/rooms/\${roomId}/summary\`)
  }
  socket.on('total', (data: { id: number; total: number }) => {
    if (summary.value && data.id === summary.value.id) summary.value.total = data.total
  })
  return { summary, loadSummary }
}
`,
      // Nothing compares the profile with an id.
      'app/composables/useProfile.ts': `import { io } from 'socket.io-client'

export function useProfile() {
  const socket = io()
  const profile = ref<{ id: number; status: string } | null>(null)
  async function openProfile(userId: number) {
    profile.value = await $fetch<{ id: number; status: string }>(\`/api/users/\${userId}\`)
  }
  socket.on('status', (status: string) => {
    if (profile.value) profile.value.status = status
  })
  return { profile, openProfile }
}
`,
      // Two properties are compared with ids: which one the loader takes is a guess.
      'app/composables/useDoc.ts': `import { io } from 'socket.io-client'

export function useDoc() {
  const socket = io()
  const doc = ref<{ id: number; ownerId: number; text: string } | null>(null)
  async function openDoc(docId: number) {
    doc.value = await $fetch<{ id: number; ownerId: number; text: string }>(\`/api/docs/\${docId}\`)
  }
  socket.on('edit', (data: { docId: number; userId: number; text: string }) => {
    if (doc.value && doc.value.id === data.docId && doc.value.ownerId !== data.userId) doc.value.text = data.text
  })
  return { doc, openDoc }
}
`,
    })
    const { updated, followUps } = await planClient(dir)
    for (const file of ['useSummary', 'useProfile', 'useDoc']) expect(updated.get(`app/composables/${file}.ts`)).not.toContain('onReset')
    const stale = followUps.filter((f) => f.kind === 'client/reset-not-wired')
    expect(stale.map((f) => `${f.file}:${f.line} ${f.severity}`)).toEqual([
      'app/composables/useDoc.ts:9 warning',
      'app/composables/useProfile.ts:9 warning',
      'app/composables/useSummary.ts:9 warning',
    ])
    expect(stale[0]!.reason).toContain('openDoc() would reload it, but the tool cannot tell with which arguments')
  })
})

describe('a socket created where a value is expected', () => {
  it('becomes a stream that is connected before it is handed out', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'app/utils/sockets.ts': `import { io, type Socket } from 'socket.io-client'

let shared: Socket | undefined

export const createSocket = () => io({ withCredentials: true })

export function adminSocket() {
  return io('/admin')
}

export const sharedSocket = () => (shared ??= io())
`,
    })
    const { updated, followUps } = await planClient(dir)
    expect(updated.get('app/utils/sockets.ts')).toBe(`import type { ChatSSE } from '~/composables/useChatSSE'

let shared: ChatSSE | undefined

export const createSocket = () => {
  const stream = useChatSSE()
  stream.connect()
  return stream
}

export function adminSocket() {
  const stream = useChatSSE()
  stream.connect()
  return stream
}

export const sharedSocket = () => {
  if (!shared) {
    shared = useChatSSE({ detached: true })
    shared.connect()
  }
  return shared
}
`)
    expect(followUps.map((f) => `${f.line} ${f.kind}`)).toEqual(['8 client/socket-url-dropped'])
  })
})

describe('a socket handed over', () => {
  it('inside a provided context object, through a composable that injects it, is followed to its users', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'server/plugins/socket.io.ts': serverPlugin(['typing']),
      'app/composables/useSocket.ts': `import type { InjectionKey, Ref } from 'vue'
import type { Socket } from 'socket.io-client'

interface SocketContext {
  socket: Socket
  isConnected: Ref<boolean>
}

export const socketKey = Symbol('socket') as InjectionKey<SocketContext>
export const useSocket = () => inject(socketKey) as SocketContext
`,
      'app/app.vue': `<script setup lang="ts">
import { io } from 'socket.io-client'

const isConnected = ref(false)
const socket = io()
provide(socketKey, { socket, isConnected })
</script>
`,
      'app/components/Typing.vue': `<script setup lang="ts">
const { socket } = useSocket()
const typing = () => socket.emit('typing', { roomId: 1 })
</script>
`,
    })
    const { plan, updated } = await planClient(dir)
    const url = routeUrl(plan, 'typing')
    expect(updated.get('app/components/Typing.vue')).toContain(`const typing = () => socket.send('${url}', { roomId: 1 })`)
  })

  it('drops a log line that printed the manager\'s transport, which would throw on the SSE handle', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'server/plugins/socket.io.ts': serverPlugin(['typing']),
      'app/composables/useLive.ts': `import { io } from 'socket.io-client'
export const useLive = () => {
  const socket = io()
  socket.on('connect', () => {
    console.log('[live] transport:', socket.io.engine.transport.name)
    console.log('[live] connected')
  })
  return socket
}
`,
    })
    const { updated, followUps } = await planClient(dir)
    const text = updated.get('app/composables/useLive.ts')!
    expect(text).not.toContain('transport')
    expect(text).toContain(`console.log('[live] connected')`)
    expect(followUps.find((f) => f.kind === 'client/manager-log-removed')).toMatchObject({ line: 5, severity: 'info' })
  })

  it('through an InjectionKey constant or storeToRefs is followed to its users', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'server/plugins/socket.io.ts': serverPlugin(['typing']),
      'app/utils/keys.ts': `import type { InjectionKey } from 'vue'
import type { Socket } from 'socket.io-client'

export const socketKey: InjectionKey<Socket> = Symbol('socket')
`,
      'app/app.vue': `<script setup lang="ts">
import { io } from 'socket.io-client'

provide(socketKey, io())
</script>
`,
      'app/components/Typing.vue': `<script setup lang="ts">
const socket = inject(socketKey)!
const { socket: storeSocket } = storeToRefs(useChatStore())

function typing() {
  socket.emit('typing', { roomId: 1 })
  if (storeSocket.value?.connected) storeSocket.value.emit('typing', { roomId: 2 })
}
</script>
`,
      'app/stores/chat.ts': `import { io, type Socket } from 'socket.io-client'

export const useChatStore = defineStore('chat', {
  state: () => ({ socket: null as Socket | null }),
  actions: {
    open() {
      this.socket = io()
    },
  },
})
`,
    })
    const { plan, updated, followUps } = await planClient(dir)
    const url = routeUrl(plan, 'typing')
    expect(updated.get('app/components/Typing.vue')).toContain(`  socket.post('${url}', { roomId: 1 })
  if (storeSocket.value?.connected.value) storeSocket.value.post('${url}', { roomId: 2 })`)
    expect(updated.get('app/utils/keys.ts')).toContain('export const socketKey: InjectionKey<ChatSSE> = Symbol')
    expect(followUps.filter((f) => f.severity !== 'info')).toEqual([])
  })
})

describe('the socket type', () => {
  it('spelled through the factory, ReturnType<typeof io>, becomes the stream type and the import goes', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'composables/useSocket.ts': `import { io } from 'socket.io-client'

let socket: ReturnType<typeof io>

export default () => {
  if (!socket) socket = io('/')
  return { subscribe: (event: string, cb: (data: unknown) => void) => socket.on(event, cb) }
}
`,
    })
    const { updated, followUps } = await planClient(dir)
    const text = updated.get('composables/useSocket.ts')!
    expect(text).toContain('let socket: ChatSSE\n')
    expect(text).not.toContain('socket.io-client')
    expect(followUps.filter((f) => f.severity !== 'info')).toEqual([])
  })
})

describe('removing listeners', () => {
  it('by event or all at once maps onto the stream\'s removeAllListeners, lifecycle events included', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'app/composables/useFeed.ts': `import { io } from 'socket.io-client'

export function useFeed() {
  const socket = io()
  socket.on('connect', () => console.log('up'))
  socket.on('message', (m: string) => console.log(m))
  function stop() {
    socket.off('connect')
    socket.off('message')
    socket.removeAllListeners('disconnect')
    socket.removeAllListeners()
    socket.off()
  }
  return { stop }
}
`,
    })
    const { updated, followUps } = await planClient(dir)
    expect(updated.get('app/composables/useFeed.ts')).toContain(`  function stop() {
    socket.removeAllListeners('connect')
    socket.off('message')
    socket.removeAllListeners('disconnect')
    socket.removeAllListeners()
    socket.removeAllListeners()
  }`)
    expect(followUps.filter((f) => f.severity !== 'info')).toEqual([])
  })
})

describe('what the tool does not understand', () => {
  it('is left as is and reported with file:line, keeping the imports it needs', async () => {
    const dir = caseDir()
    const text = `import { Manager } from 'socket.io-client'

export function useAdmin() {
  const manager = new Manager('/admin')
  const socket = manager.socket('/')
  return { socket }
}
`
    writeRepo(dir, { 'app/composables/useAdmin.ts': text })
    const { updated, followUps } = await planClient(dir)
    expect(updated.has('app/composables/useAdmin.ts')).toBe(false)
    expect(followUps.map((f) => `${f.file}:${f.line}:${f.column} ${f.kind} ${f.severity}`)).toEqual(['app/composables/useAdmin.ts:4:19 client/unknown-use warning'])
  })
})

describe('what is not socket.io-client', () => {
  it('stays untouched: Vue emits, this.$emit, an IntersectionObserver called io, an EventEmitter', async () => {
    const { updated, followUps } = await planClient(fixtureBefore('client-vue'))
    for (const file of ['app/components/LazyImage.vue', 'app/components/CloseButton.vue', 'server/utils/bus.ts']) {
      expect(updated.has(file), file).toBe(false)
      expect(followUps.filter((f) => f.file === file), file).toEqual([])
    }
    expect(updated.get('app/components/ChatRoom.vue')).toContain("emit('update:modelValue', (event.target as HTMLInputElement).value)")
    expect(updated.get('app/components/RoomPresence.vue')).toContain("this.$emit('online', this.socket?.connectionId.value)")
  })
})

describe('a second run', () => {
  for (const fixture of ['client-vue', 'client-plugin', 'client-pinia', 'client-singleton', 'client-provide-inject']) {
    it(`finds nothing left to do in ${fixture}`, async () => {
      const dir = caseDir()
      copyFixtureTree(fixtureBefore(fixture), dir)
      const first = await planClient(dir)
      expect(first.updated.size + first.deleted.length).toBeGreaterThan(0)
      for (const [file, text] of first.updated) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
        writeFileSync(path.join(dir, file), text)
      }
      for (const file of first.deleted) rmSync(path.join(dir, file))
      const second = await planClient(dir)
      expect([...second.updated.keys(), ...second.deleted]).toEqual([])
    })
  }
})

describe('explicit vue imports', () => {
  const composable = (vueImport: string) => `${vueImport}
import { io, type Socket } from 'socket.io-client'

export function useLive() {
  const socket = ref<Socket | null>(null)
  const count = ref(0)
  onMounted(() => {
    socket.value = io()
  })
  return { socket, count }
}
`
  it('add shallowRef to the list in its own layout: spacing, trailing comma, one name per line', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'server/plugins/socket.io.ts': serverPlugin([]),
      'app/composables/useTight.ts': composable("import {onMounted, ref} from 'vue'"),
      'app/composables/useComma.ts': composable("import { onMounted, ref, } from 'vue'"),
      'app/composables/useLines.ts': composable("import {\n  onMounted,\n  ref,\n} from 'vue'"),
    })
    const { updated } = await planClient(dir)
    // `ref` stays (count uses it); shallowRef holds the stream.
    expect(updated.get('app/composables/useTight.ts')).toContain("import {onMounted, ref, shallowRef} from 'vue'")
    expect(updated.get('app/composables/useComma.ts')).toContain("import { onMounted, ref, shallowRef, } from 'vue'")
    expect(updated.get('app/composables/useLines.ts')).toContain("import {\n  onMounted,\n  ref,\n  shallowRef,\n} from 'vue'")
  })

  it('drop a helper the rewrite made unused and add what it needs, types included', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'server/plugins/socket.io.ts': serverPlugin([]),
      'app/composables/useOnly.ts': composable("import { onMounted, ref } from 'vue'").replace('const count = ref(0)', 'const count = 0'),
    })
    const { updated } = await planClient(dir)
    expect(updated.get('app/composables/useOnly.ts')).toContain("import { onMounted, shallowRef } from 'vue'")
  })

  it('add to a list in another layout after its last name, keeping its closing brace where it was', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'server/plugins/socket.io.ts': serverPlugin([]),
      'app/composables/useMixed.ts': composable("import {\n  onMounted, ref,\n  computed,\n} from 'vue'"),
    })
    const { updated } = await planClient(dir)
    expect(updated.get('app/composables/useMixed.ts')).toContain("import {\n  onMounted, ref,\n  computed, shallowRef,\n} from 'vue'\n")
  })
})

describe('a $socket variable renamed to socket', () => {
  it('keeps the key of an object that hands it on by shorthand', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'server/plugins/socket.io.ts': serverPlugin(['typing']),
      'app/plugins/socket.client.ts': `import { io } from 'socket.io-client'

export default defineNuxtPlugin(() => {
  const socket = io({ transports: ['websocket'] })
  return { provide: { socket } }
})
`,
      'app/composables/useTyping.ts': `export function useTyping() {
  const { $socket } = useNuxtApp()
  const typing = () => $socket.emit('typing', { roomId: 1 })
  return { typing, $socket }
}
`,
    })
    const { updated, deleted } = await planClient(dir)
    expect(deleted).toEqual(['app/plugins/socket.client.ts'])
    expect(updated.get('app/composables/useTyping.ts')).toBe(`export function useTyping() {
  const socket = useChatSSE()
  socket.connect()
  const typing = () => socket.send('/api/chat/typing', { roomId: 1 })
  return { typing, $socket: socket }
}
`)
  })
})

describe('a .vue file with two script blocks', () => {
  it('gets the edits of both blocks, each in its own block', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'server/plugins/socket.io.ts': serverPlugin(['typing']),
      'app/components/Pair.vue': `<template>
  <p>{{ count }}</p>
</template>

<script lang="ts">
import { io } from 'socket.io-client'

export const shared = io({ transports: ['websocket'] })
</script>

<script setup lang="ts">
import { io } from 'socket.io-client'

const socket = io()
const count = ref(0)
socket.on('typing', () => count.value++)
socket.emit('typing', { roomId: 1 })
</script>
`,
    })
    const { updated } = await planClient(dir)
    expect(updated.get('app/components/Pair.vue')).toBe(`<template>
  <p>{{ count }}</p>
</template>

<script lang="ts">
export const shared = useChatSSE({ detached: true })
shared.connect()
</script>

<script setup lang="ts">
const socket = useChatSSE()
socket.connect()
const count = ref(0)
socket.on('typing', () => count.value++)
socket.post('/api/chat/typing', { roomId: 1 })
</script>
`)
  })
})
