import { describe, expect, it } from 'vitest'
import { undeclaredNames } from '../../scripts/corpus/names.js'
import { parseError } from '../../scripts/corpus/scripts.js'
import { autoImportedNames, filesUsingSocketIO, importsSocketIO, stillUsesSocketIO, usesSocketIO } from '../../scripts/corpus/socket-usage.js'

describe('corpus checks', () => {
  it('finds names a route or a .vue script uses that nothing declares or imports', () => {
    const found = undeclaredNames(new Map([
      ['server/api/a.post.ts', `import { x } from 'y'\nexport default defineEventHandler(() => { io.emit('x', x); process.env.A; console.log(window) })\n`],
      ['app/pages/p.vue', `<template><div /></template>\n<script setup lang="ts">\nconst sse = useChatSSE()\nsocket.emit('a', sse)\n</script>\n`],
    ]))
    expect([...found.get('server/api/a.post.ts')!]).toEqual(['defineEventHandler', 'io'])
    expect([...found.get('app/pages/p.vue')!]).toEqual(['useChatSSE', 'socket'])
  })

  it('names where a code file, a .vue script or package.json stops parsing', () => {
    expect(parseError('a.ts', 'const = 1')).toBe('1:7 Variable declaration expected.')
    expect(parseError('b.vue', '<script setup>\nconst a = (\n</script>')).toMatch(/^2:12 /)
    expect(parseError('package.json', '{')).toBeDefined()
    expect(parseError('c.ts', 'export const ok = 1\n')).toBeUndefined()
  })

  it('tells a Socket.IO import from a comment-free mention, and collects what auto-import folders export', () => {
    expect(importsSocketIO(`import { Server as S } from "socket.io"`)).toBe(true)
    expect(importsSocketIO(`const { createAdapter } = require('@socket.io/redis-adapter')`)).toBe(true)
    expect(importsSocketIO(`import { io } from 'socket.io-client/dist/socket.io.js'`)).toBe(true)
    expect(importsSocketIO(`// we moved off socket.io`)).toBe(false)
    expect(usesSocketIO(`const socket = useSocket()\nsocket.emit('join', 1)`)).toBe(true)
    expect(usesSocketIO(`await $fetch('/api/rooms')`)).toBe(false)
    expect(usesSocketIO(`const url = 'http://x'\n  // socket.emit('join', 1)\n/* io.to(room).emit('a')\n*/`)).toBe(false)
    expect(importsSocketIO(`/*\nimport { io } from 'socket.io-client'\n*/`)).toBe(false)
    expect(stillUsesSocketIO(`// socket.emit('join', 1)\nconst s = useChatSSE()`)).toBe(false)
    expect(stillUsesSocketIO(`const socket = useChatSSE()\nsocket.removeAllListeners()`)).toBe(false)
    expect(stillUsesSocketIO(`const socket = useChatSSE()\nsocket.on('message', show)`)).toBe(false)
    expect(stillUsesSocketIO(`const socket = useChatSSE()\nsocket.emit('join', 1)`)).toBe(true)
    const names = autoImportedNames(new Map([
      ['server/utils/sse.ts', 'export function emitToRoom() {}\nexport { a as broadcast }\n'],
      ['app/composables/use-chat-sse.ts', 'export default function () {}\n'],
      ['server/api/x.ts', 'export const notAutoImported = 1\n'],
    ]))
    expect([...names].sort()).toEqual(['broadcast', 'emitToRoom', 'useChatSse'])
  })

  it('counts no file of a plain WebSocket app, whose clients have an emit of their own, as Socket.IO', () => {
    const isCode = (path: string) => path.endsWith('.ts') || path.endsWith('.vue')
    const ws = new Map([
      ['server/routes/ws.ts', `export default defineWebSocketHandler({ message(peer, m) { client.emit('data', m) } })\n`],
      ['components/Chat.vue', `<script setup>\nconst socket = useSocket()\nsocket.on('data', show)\n</script>\n`],
    ])
    expect(filesUsingSocketIO(ws, isCode)).toEqual([])
    const socketIO = new Map([...ws, ['plugins/socket.client.ts', `import { io } from 'socket.io-client'\nexport default defineNuxtPlugin(() => ({ provide: { socket: io() } }))\n`]])
    expect(filesUsingSocketIO(socketIO, isCode)).toEqual(['server/routes/ws.ts', 'components/Chat.vue', 'plugins/socket.client.ts'])
  })
})
