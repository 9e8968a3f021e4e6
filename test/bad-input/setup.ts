import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Transform } from '../../src/transform.js'

/** Writes files (path → text or bytes) under a root. */
export function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    writeFileSync(path.join(root, file), content)
  }
}

export const SOCKET_PLUGIN = `import { Server } from 'socket.io'

export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  io.on('connection', (socket) => {
    socket.join('room:1')
  })
})
`

/** A small Nuxt 4 app that uses Socket.IO. */
export function writeSocketApp(root: string, extra: Record<string, string | Buffer> = {}): void {
  writeFiles(root, {
    'package.json': `{\n  "name": "app",\n  "dependencies": {\n    "nuxt": "^4.0.0",\n    "socket.io": "^4.8.1"\n  }\n}\n`,
    'nuxt.config.ts': 'export default defineNuxtConfig({})\n',
    'server/plugins/socket.io.ts': SOCKET_PLUGIN,
    'app/app.vue': '<template><NuxtPage /></template>\n',
    ...extra,
  })
}

/** A test-only transform: rewrites the plugin's first line, so every run has something to apply. */
export const markPlugin: Transform = {
  id: 'mark-plugin',
  title: 'test: comment the plugin',
  run(ctx) {
    const path = 'server/plugins/socket.io.ts'
    const text = ctx.changes.currentText(path)
    if (text !== undefined && !text.startsWith('// migrated')) {
      ctx.changes.write(path, `// migrated\n${text}`, text, { transform: 'mark-plugin', reason: 'test' })
    }
  },
}

/** A test-only transform that stages any fixed set of creations. */
export function createFiles(files: Record<string, string>): Transform {
  return {
    id: 'create-files',
    title: 'test: create files',
    run(ctx) {
      for (const [file, text] of Object.entries(files)) ctx.changes.create(file, text, { transform: 'create-files', reason: 'test' })
    },
  }
}
