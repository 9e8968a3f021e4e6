import { ts } from 'ts-morph'
import { describe, expect, it } from 'vitest'
import { addSseRedisUrl, removeSocketIoFromNuxtConfig } from '../../transforms/server/config-edit.js'
import { addEnvLine, removeSocketIoEnv } from '../../transforms/server/env-edit.js'

const config = `export default defineNuxtConfig({
  compatibilityDate: '2025-07-15',

  routeRules: {
    '/socket.io/**': { cors: true },
  },

  runtimeConfig: {
    secret: '',
    socketIo: { path: '/socket.io' },
    public: {
      apiBase: '/api',
      socketUrl: 'http://localhost:3001',
    },
  },

  nitro: {
    preset: 'node-server',
    experimental: {
      websocket: true,
    },
  },

  vite: {},
})
`

describe('nuxt.config edits', () => {
  it('removes the websocket flag, socket route rules and unused socket runtime config, pruning what it emptied', () => {
    const { text, removed } = removeSocketIoFromNuxtConfig(config, { removeWebsocketFlag: true, isKeyUnused: () => true })
    expect(text).toBe(`export default defineNuxtConfig({
  compatibilityDate: '2025-07-15',

  runtimeConfig: {
    secret: '',
    public: {
      apiBase: '/api',
    },
  },

  nitro: {
    preset: 'node-server',
  },

  vite: {},
})
`)
    expect(removed).toEqual([
      'nitro.experimental.websocket',
      "routeRules['/socket.io/**']",
      'runtimeConfig.socketIo',
      'runtimeConfig.public.socketUrl',
      'nitro.experimental',
      'routeRules',
    ])
  })

  it('keeps the websocket flag while another WebSocket handler exists, and runtime keys code still reads', () => {
    const { text } = removeSocketIoFromNuxtConfig(config, { removeWebsocketFlag: false, isKeyUnused: (key) => key !== 'socketUrl' })
    expect(text).toContain('websocket: true')
    expect(text).toContain("socketUrl: 'http://localhost:3001'")
    expect(text).not.toContain('socketIo')
    // `vite: {}` was empty before: never pruned
    expect(text).toContain('vite: {}')
  })

  it('adds sse.redisUrl before public, in the file style, once', () => {
    const once = addSseRedisUrl(config, "''", 'Redis for SSE')
    expect(once).toContain(`    socketIo: { path: '/socket.io' },
    // Redis for SSE
    sse: {
      redisUrl: '',
    },
    public: {`)
    expect(addSseRedisUrl(once, "''", 'Redis for SSE')).toBe(once)
  })

  it('inserts before a last `public` key with a comma, above the comments that describe `public`', () => {
    const text = `export default defineNuxtConfig({
  runtimeConfig: {
    jwtSecret: process.env.JWT_SECRET,
    redisHost: process.env.REDIS_HOST,

    // Public keys (exposed to the browser)
    // keep them non-secret
    public: {
      apiBase: '/api'
    }
  }
})
`
    const result = addSseRedisUrl(text, "''", 'Redis for SSE')
    expect(result).toBe(`export default defineNuxtConfig({
  runtimeConfig: {
    jwtSecret: process.env.JWT_SECRET,
    redisHost: process.env.REDIS_HOST,

    // Redis for SSE
    sse: {
      redisUrl: ''
    },
    // Public keys (exposed to the browser)
    // keep them non-secret
    public: {
      apiBase: '/api'
    }
  }
})
`)
    const parsed = ts.createSourceFile('nuxt.config.ts', result, ts.ScriptTarget.Latest, true) as ts.SourceFile & { parseDiagnostics: ts.Diagnostic[] }
    expect(parsed.parseDiagnostics).toEqual([])
  })

  it('keeps a same-line comment of the previous key where it is', () => {
    const text = "export default defineNuxtConfig({\n  runtimeConfig: {\n    secret: '', // server only\n    public: { apiBase: '/api' },\n  },\n})\n"
    expect(addSseRedisUrl(text, "''", 'Redis')).toBe(
      "export default defineNuxtConfig({\n  runtimeConfig: {\n    secret: '', // server only\n    // Redis\n    sse: {\n      redisUrl: '',\n    },\n    public: { apiBase: '/api' },\n  },\n})\n",
    )
  })

  it('creates runtimeConfig when there is none, without trailing commas when the file has none', () => {
    const text = addSseRedisUrl("export default defineNuxtConfig({\n  ssr: false\n})\n", "'redis://r:6379'", 'Redis')
    expect(text).toBe(`export default defineNuxtConfig({
  ssr: false,
  runtimeConfig: {
    // Redis
    sse: {
      redisUrl: 'redis://r:6379'
    }
  }
})
`)
  })
})

describe('.env.example edits', () => {
  it('removes SOCKET_IO_* and WS_PORT with their heading, leaving single blank lines', () => {
    const { text, removed } = removeSocketIoEnv(`# App
APP_NAME=x

# Socket.IO (optional)
SOCKET_IO_PORT=4000
SOCKET_IO_PATH=/socket.io
WS_PORT=3001

# Mail
SMTP_HOST=localhost
`)
    expect(text).toBe('# App\nAPP_NAME=x\n\n# Mail\nSMTP_HOST=localhost\n')
    expect(removed).toEqual(['SOCKET_IO_PORT', 'SOCKET_IO_PATH', 'WS_PORT'])
  })

  it('keeps a heading whose group still has other variables', () => {
    const { text } = removeSocketIoEnv('# Realtime and Socket.IO\nREALTIME_ENABLED=true\nSOCKET_IO_PATH=/socket.io\n')
    expect(text).toBe('# Realtime and Socket.IO\nREALTIME_ENABLED=true\n')
  })

  it('documents a new variable next to the one it mirrors, once', () => {
    const added = addEnvLine('A=1\nREDIS_URL=redis://x\nB=2\n', 'NUXT_SSE_REDIS_URL', 'redis://x', 'REDIS_URL', 'same Redis')
    expect(added).toBe('A=1\nREDIS_URL=redis://x\n# same Redis\nNUXT_SSE_REDIS_URL=redis://x\nB=2\n')
    expect(addEnvLine(added, 'NUXT_SSE_REDIS_URL', 'redis://x', 'REDIS_URL', 'same Redis')).toBe(added)
  })
})
