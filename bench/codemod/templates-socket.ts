/**
 * Socket.IO code in the shapes PATTERNS.md lists: one Nitro plugin that creates the io server with a
 * Redis adapter, auth middleware and client-event handlers (C1, C9, A1, A2), a getter util (A5), routes
 * that emit through `useNitroApp().io`, `globalThis.io` or the getter (E1, E2, E3, E8), and clients
 * (composables and components on socket.io-client).
 */
import type { Rng } from '../lib/prng.js'
import { socketEvents } from './words.js'

export function socketPlugin(): string {
  return `import { Server } from 'socket.io'
import { createAdapter } from '@socket.io/redis-adapter'
import Redis from 'ioredis'
import type { Server as HttpServer } from 'node:http'

declare module 'nitropack' {
  interface NitroApp {
    io?: Server
  }
}

declare global {
  // eslint-disable-next-line no-var
  var io: Server | undefined
}

export default defineNitroPlugin((nitroApp) => {
  if (globalThis.io) return

  const attach = (httpServer: HttpServer) => {
    const io = new Server(httpServer, {
      path: process.env.SOCKET_IO_PATH || '/socket.io',
      cors: { origin: process.env.SOCKET_IO_CORS_ORIGIN || '*' },
    })

    try {
      const pub = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379')
      const sub = pub.duplicate()
      io.adapter(createAdapter(pub, sub))
    } catch (error) {
      console.warn('[Socket.IO] Redis adapter unavailable, using memory', error)
    }

    io.use(async (socket, next) => {
      const header = socket.handshake.headers.authorization
      const token = socket.handshake.auth.token
        || (header?.startsWith('Bearer ') ? header.slice(7) : undefined)
        || socket.handshake.query.token
      if (!token) return next(new Error('Authentication token required'))
      try {
        const user = await verifyToken(String(token))
        socket.data.user = user
        socket.data.userId = user.id
        next()
      } catch {
        next(new Error('Authentication failed'))
      }
    })

    io.on('connection', async (socket) => {
      const userId = socket.data.userId
      socket.join(\`user:\${userId}\`)
      const rooms = await findChatRoomsForUser(userId)
      for (const room of rooms) {
        socket.join(\`room:\${room.id}\`)
        socket.join(\`course:\${room.courseId}\`)
        console.log(\`[Socket.IO] User \${userId} joined room \${room.id} (course \${room.courseId}, student \${room.studentId}, tutor \${room.tutorId})\`)
      }

      socket.on('join_room', async (roomId: number) => {
        if (!(await verifyRoomAccess(userId, roomId))) return socket.emit('error', { message: 'Forbidden' })
        socket.join(\`room:\${roomId}\`)
      })

      socket.on('leave_room', (roomId: number) => {
        socket.leave(\`room:\${roomId}\`)
      })

      socket.on('send_message', async (data: { roomId: number; content: string }, ack?: (res: unknown) => void) => {
        const message = await saveMessage(userId, data.roomId, data.content)
        io.to(\`room:\${data.roomId}\`).emit('new_message', message)
        ack?.({ ok: true, id: message.id })
      })

      socket.on('typing', (data: { roomId: number; isTyping: boolean }) => {
        socket.to(\`room:\${data.roomId}\`).emit('typing', { userId, isTyping: data.isTyping })
      })

      socket.on('mark_read', async (data: { roomId: number }) => {
        await markRoomRead(userId, data.roomId)
        io.to(\`room:\${data.roomId}\`).emit('messages_read', { userId, roomId: data.roomId })
      })

      socket.on('disconnect', () => {
        console.log(\`[Socket.IO] User \${userId} disconnected\`)
      })
    })

    nitroApp.io = io
    globalThis.io = io
  }

  const server = (nitroApp as any).h3App?.nodeServer as HttpServer | undefined
  if (server) attach(server)
  else nitroApp.hooks.hook('listen' as any, (listener: HttpServer) => attach(listener))
})
`
}

export function socketGetter(): string {
  return `import type { Server } from 'socket.io'

/** The io server set up by the Socket.IO plugin (A5). */
export function getSocketIO(): Server | undefined {
  return globalThis.io
}
`
}

export function socketRouteStub(): string {
  return `export default defineEventHandler(() => {
  // Socket.IO is attached by server/plugins/socket.io.ts; this route only reserves the path.
  return 'Socket.IO endpoint'
})
`
}

/** A route that saves something and emits through one of the accessor shapes. */
export function socketEmitRoute(rng: Rng, noun: string, variant: number): string {
  const event = rng.pick(socketEvents)
  const head = `import { defineEventHandler, readBody, getRouterParam, createError } from 'h3'
${variant === 4 ? "import { getSocketIO } from '~~/server/utils/socket'\n" : ''}
export default defineEventHandler(async (event) => {
  const roomId = Number(getRouterParam(event, 'roomId'))
  const body = await readBody<{ content: string; recipients?: number[] }>(event)
  if (!body?.content) throw createError({ statusCode: 400, statusMessage: 'content is required' })
  const saved = { id: Date.now(), roomId, content: body.content, kind: '${noun.toLowerCase()}' }
`
  let emit: string
  switch (variant) {
    case 0:
      emit = `  const io = useNitroApp().io
  if (!io) throw createError({ statusCode: 503, statusMessage: 'Socket.IO not ready' })
  io.to(\`room:\${roomId}\`).emit('${event}', saved)
`
      break
    case 1:
      emit = `  globalThis.io?.to(\`room:\${roomId}\`).emit('${event}', saved)
`
      break
    case 2:
      emit = `  const io = (useNitroApp() as any).io
  io?.to(\`room:\${roomId}\`).to(\`course:\${saved.id}\`).emit('${event}', saved)
`
      break
    case 3:
      emit = `  if (globalThis.io) {
    for (const userId of body.recipients ?? []) {
      globalThis.io.to(\`user:\${userId}\`).emit('${event}', saved)
    }
  }
`
      break
    case 4:
      emit = `  getSocketIO()?.in(\`room:\${roomId}\`).emit('${event}', saved)
`
      break
    default:
      emit = `  useNitroApp().io?.emit('${event}', { roomId, at: new Date().toISOString() })
`
  }
  return `${head}${emit}  return saved
})
`
}

export function socketClientComposable(rng: Rng, noun: string): string {
  const events = [rng.pick(socketEvents), rng.pick(socketEvents)].filter((e, i, all) => all.indexOf(e) === i)
  return `import { io, type Socket } from 'socket.io-client'
import { readonly, ref } from 'vue'

export function use${noun}Socket() {
  const socket = ref<Socket | null>(null)
  const connected = ref(false)
  const events = ref<unknown[]>([])

  function connect(token: string) {
    if (socket.value) return
    socket.value = io(window.location.origin, {
      auth: { token },
      transports: ['websocket', 'polling'],
      reconnection: true,
      reconnectionDelay: ${rng.pick([500, 1000, 2000])},
      reconnectionAttempts: ${rng.int(3, 10)},
    })
    socket.value.on('connect', () => { connected.value = true })
    socket.value.on('disconnect', () => { connected.value = false })
${events.map((e) => `    socket.value.on('${e}', (payload: unknown) => { events.value.push(payload) })`).join('\n')}
  }

  function disconnect() {
    socket.value?.disconnect()
    socket.value = null
  }

  function send(roomId: number, content: string) {
    socket.value?.emit('send_message', { roomId, content })
  }

  return { socket: readonly(socket), connected, events, connect, disconnect, send }
}
`
}

export function socketClientComponent(rng: Rng, noun: string): string {
  const event = rng.pick(socketEvents)
  return `<script setup lang="ts">
import { onMounted, onUnmounted, ref } from 'vue'
import type { Socket } from 'socket.io-client'

const props = defineProps<{ roomId: number }>()
const { $socket } = useNuxtApp()
const socket = $socket as Socket
const items = ref<unknown[]>([])

function onEvent(payload: unknown) {
  items.value.push(payload)
}

onMounted(() => {
  socket.emit('join_room', props.roomId)
  socket.on('${event}', onEvent)
})

onUnmounted(() => {
  socket.off('${event}', onEvent)
  socket.emit('leave_room', props.roomId)
})

function markRead() {
  socket.emit('mark_read', { roomId: props.roomId })
}
</script>

<template>
  <div class="${noun.toLowerCase()}-live">
    <p v-for="(item, index) in items" :key="index">{{ item }}</p>
    <button @click="markRead">Mark read</button>
  </div>
</template>
`
}
