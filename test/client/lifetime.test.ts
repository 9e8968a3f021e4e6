import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/cli.js'
import { planClient, writeRepo } from './helpers.js'

const temp = tempDir('tsm-client-lifetime-')
afterAll(() => temp.cleanup())
let cases = 0
const caseDir = (): string => path.join(temp.dir, `case-${++cases}`)

/** The argument text of every useChatSSE() call in a file (up to its matching parenthesis). */
function streamCalls(text: string | undefined): string[] {
  const calls: string[] = []
  for (const match of (text ?? '').matchAll(/useChatSSE\(/g)) {
    const start = match.index + match[0].length
    let depth = 1
    let end = start
    for (; end < text!.length && depth > 0; end++) depth += text![end] === '(' ? 1 : text![end] === ')' ? -1 : 0
    calls.push(text!.slice(start, end - 1))
  }
  return calls
}

describe('a socket that lived for the whole app', () => {
  const dir = caseDir()
  writeRepo(dir, {
    'app/utils/socket.ts': `import { io, type Socket } from 'socket.io-client'

let socket: Socket | undefined

export const useSocket = () => (socket ??= io({ withCredentials: true }))
`,
    'app/composables/useShared.ts': `import { io, type Socket } from 'socket.io-client'

const shared = shallowRef<Socket | null>(null)

export function useShared() {
  function connect() {
    shared.value = markRaw(io({ auth: { token: localStorage.getItem('token') } }))
  }
  return { shared, connect }
}
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
    'app/stores/presence.ts': `import { io, type Socket } from 'socket.io-client'

export const usePresenceStore = defineStore('presence', () => {
  const socket = shallowRef<Socket | null>(null)
  function start() {
    socket.value = io()
  }
  return { socket, start }
})
`,
    'app/plugins/socket.client.ts': `import { io } from 'socket.io-client'

export default defineNuxtPlugin((nuxtApp) => {
  const socket = io()
  socket.on('session_expired', () => navigateTo('/login'))
  nuxtApp.provide('socket', socket)
})
`,
    'app/layouts/default.vue': `<script setup lang="ts">
import { io } from 'socket.io-client'

const socket = io()
provide('chat', { socket })
onUnmounted(() => {
  socket.disconnect()
})
</script>
`,
    'app/app.vue': `<script setup lang="ts">
import { io } from 'socket.io-client'

provide('socket', io())
</script>
`,
  })

  it('gets a detached stream, so the component that first asked for it does not end it', async () => {
    const { updated } = await planClient(dir)
    const files = ['app/utils/socket.ts', 'app/composables/useShared.ts', 'app/stores/chat.ts', 'app/stores/presence.ts', 'app/plugins/socket.client.ts', 'app/layouts/default.vue', 'app/app.vue']
    const calls = Object.fromEntries(files.map((file) => [file, streamCalls(updated.get(file))]))
    expect(calls).toEqual({
      'app/utils/socket.ts': ['{ detached: true }'],
      'app/composables/useShared.ts': ["{ token: () => localStorage.getItem('token'), detached: true }"],
      'app/stores/chat.ts': ['{ detached: true }'],
      'app/stores/presence.ts': ['{ detached: true }'],
      'app/plugins/socket.client.ts': ['{ detached: true }'],
      'app/layouts/default.vue': ['{ detached: true }'],
      'app/app.vue': ['{ detached: true }'],
    })
  })

  it('keeps its disconnect() on unmount, since a detached stream is not released with the component', async () => {
    const { updated, followUps } = await planClient(dir)
    expect(updated.get('app/layouts/default.vue')).toContain('  socket.disconnect()')
    expect(followUps.filter((f) => f.kind === 'client/disconnect-on-unmount')).toEqual([])
  })
})

describe('a socket that lived with its component or its caller', () => {
  it('gets a stream bound to the scope that creates it', async () => {
    const dir = caseDir()
    writeRepo(dir, {
      'app/components/ChatRoom.vue': `<script setup lang="ts">
import { io } from 'socket.io-client'

const socket = io()
provide('socket', socket)
onUnmounted(() => {
  socket.disconnect()
})
</script>
`,
      'app/composables/useChat.ts': `import { io, type Socket } from 'socket.io-client'

export function useChat() {
  const socket = shallowRef<Socket | null>(null)
  function connect() {
    socket.value = io()
  }
  return { socket, connect }
}
`,
      'app/composables/useRoom.ts': `import { io } from 'socket.io-client'

export const useRoom = () => io()
`,
      'app/app.vue': `<script setup lang="ts">
import { io } from 'socket.io-client'

const socket = io()
socket.on('hello', () => {})
</script>
`,
    })
    const { updated, followUps } = await planClient(dir)
    for (const file of ['app/components/ChatRoom.vue', 'app/composables/useChat.ts', 'app/composables/useRoom.ts', 'app/app.vue']) {
      expect(streamCalls(updated.get(file)), file).toEqual([''])
    }
    // A component's own stream is released with it: its disconnect() on unmount is redundant.
    expect(updated.get('app/components/ChatRoom.vue')).not.toContain('disconnect()')
    expect(followUps.filter((f) => f.kind === 'client/disconnect-on-unmount').map((f) => f.file)).toEqual(['app/components/ChatRoom.vue'])
  })
})
