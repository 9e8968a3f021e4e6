import { describe, expect, it } from 'vitest'
import { editDependencies, listsDependency } from '../../src/changeset/package-json.js'

describe('package.json dependency edits', () => {
  it('removes from every section, the last entry of a section and the only one, keeping 4-space indent', () => {
    const text = `{\n    "dependencies": {\n        "nuxt": "4",\n        "socket.io": "4"\n    },\n    "devDependencies": {\n        "@socket.io/redis-adapter": "8"\n    }\n}\n`
    expect(editDependencies(text, { remove: ['socket.io', '@socket.io/redis-adapter'], add: [] })).toBe(
      `{\n    "dependencies": {\n        "nuxt": "4"\n    },\n    "devDependencies": {}\n}\n`,
    )
  })

  it('adds in alphabetical position, creates a missing section, updates a version, and is idempotent', () => {
    const text = `{\n  "name": "x",\n  "dependencies": {\n    "a": "1",\n    "c": "1"\n  }\n}\n`
    const once = editDependencies(text, {
      remove: [],
      add: [
        { name: 'b', version: '^2.0.0', dev: false },
        { name: 'c', version: '2', dev: false },
        { name: 'vitest', version: '4', dev: true },
      ],
    })
    expect(once).toBe(
      `{\n  "name": "x",\n  "dependencies": {\n    "a": "1",\n    "b": "^2.0.0",\n    "c": "2"\n  },\n  "devDependencies": {\n    "vitest": "4"\n  }\n}\n`,
    )
    expect(editDependencies(once, { remove: ['nothing'], add: [{ name: 'b', version: '^2.0.0', dev: false }] })).toBe(once)
  })

  it('keeps CRLF line endings', () => {
    const text = '{\r\n  "dependencies": {\r\n    "nuxt": "4",\r\n    "socket.io": "4"\r\n  }\r\n}\r\n'
    expect(editDependencies(text, { remove: ['socket.io'], add: [] })).toBe('{\r\n  "dependencies": {\r\n    "nuxt": "4"\r\n  }\r\n}\r\n')
  })
})

describe('listsDependency: whether package.json lists a package', () => {
  const text = JSON.stringify(
    {
      name: 'socket.io',
      scripts: { zod: 'echo' },
      dependencies: { nuxt: '4' },
      devDependencies: { zod: '3' },
      peerDependencies: { vue: '3' },
      optionalDependencies: { ioredis: '5' },
      overrides: { 'socket.io-client': '4' },
    },
    null,
    2,
  )

  it('finds a package in any dependency section', () => {
    for (const name of ['nuxt', 'zod', 'vue', 'ioredis']) expect(listsDependency(text, name)).toBe(true)
  })

  it('does not count the same name outside the dependency sections', () => {
    expect(listsDependency(text, 'socket.io')).toBe(false)
    expect(listsDependency(text, 'socket.io-client')).toBe(false)
  })

  it('looks only in the sections it is given', () => {
    expect(listsDependency(text, 'zod', ['dependencies', 'devDependencies'])).toBe(true)
    expect(listsDependency(text, 'vue', ['dependencies', 'devDependencies', 'optionalDependencies'])).toBe(false)
    expect(listsDependency(text, 'ioredis', ['dependencies', 'devDependencies'])).toBe(false)
  })

  it('is false for an empty file or one whose top level is not an object', () => {
    expect(listsDependency('', 'nuxt')).toBe(false)
    expect(listsDependency('[{ "dependencies": { "nuxt": "4" } }]', 'nuxt')).toBe(false)
    expect(listsDependency('null', 'nuxt')).toBe(false)
  })
})
