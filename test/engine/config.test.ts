import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig, parseRoomPrefix } from '../../src/config/load.js'
import { defaultConfig } from '../../src/config/types.js'
import { detectPackageManager, installCommand } from '../../src/pm/detect.js'
import { writeFiles } from '../bad-input/setup.js'
import { tempDir } from '../helpers/cli.js'

let cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups) c()
  cleanups = []
})
function temp(): string {
  const t = tempDir('tsm-config-')
  cleanups.push(t.cleanup)
  return t.dir
}

describe('config', () => {
  it('defaults when there is no config file', () => {
    expect(loadConfig(temp())).toEqual(defaultConfig)
  })

  it('merges the file over the defaults, then --room-prefix flags first', () => {
    const root = temp()
    writeFiles(root, {
      'tutor-sse-migrate.config.json': JSON.stringify({ rooms: [{ prefix: 'chat_', helper: 'emitToRoom' }], allowQueryToken: true, events: { ping: { drop: true } } }),
    })
    expect(loadConfig(root, { roomPrefixes: ['member:=user', 'chat_=emitToUser'] })).toEqual({
      rooms: [
        { prefix: 'member:', helper: 'emitToUser' },
        { prefix: 'chat_', helper: 'emitToUser' },
      ],
      routeDir: 'server/api/chat',
      events: { ping: { drop: true } },
      allowQueryToken: true,
    })
  })

  it('names the file and the problem for a bad config', () => {
    const root = temp()
    writeFiles(root, { 'custom.json': '{ "routeDir": "../outside" }', 'broken.json': '{ nope' })
    expect(() => loadConfig(root, { configFile: `${root}/custom.json` })).toThrow(
      `${root}/custom.json: "routeDir" must be a repo-relative directory`,
    )
    expect(() => loadConfig(root, { configFile: `${root}/broken.json` })).toThrow(`${root}/broken.json: malformed JSON`)
    expect(() => loadConfig(root, { configFile: `${root}/missing.json` })).toThrow('missing.json: config file not found')
    writeFiles(root, { 'tutor-sse-migrate.config.json': '{ "room": [] }' })
    expect(() => loadConfig(root)).toThrow('tutor-sse-migrate.config.json: unknown key "room"')
  })

  it('rejects a malformed --room-prefix', () => {
    expect(parseRoomPrefix('chat_=room')).toEqual({ prefix: 'chat_', helper: 'emitToRoom' })
    expect(() => parseRoomPrefix('chat_')).toThrow('--room-prefix chat_: expected <prefix>=<emitToRoom|emitToUser|room|user>')
  })
})

describe('package manager detection', () => {
  const cases: [Record<string, string>, string][] = [
    [{ 'bun.lock': '' }, 'bun'],
    [{ 'bun.lockb': '' }, 'bun'],
    [{ 'pnpm-lock.yaml': '' }, 'pnpm'],
    [{ 'yarn.lock': '' }, 'yarn'],
    [{ 'package-lock.json': '{}' }, 'npm'],
    [{ 'package.json': '{"packageManager":"pnpm@9.1.0"}' }, 'pnpm'],
    [{ 'package.json': '{}' }, 'npm'],
    [{ 'bun.lock': '', 'package.json': '{"packageManager":"yarn@4.0.0"}' }, 'bun'],
  ]
  for (const [files, expected] of cases) {
    it(`${Object.keys(files).join(' + ')} → ${expected}`, () => {
      const root = temp()
      writeFiles(root, { 'package.json': '{}', ...files })
      expect(detectPackageManager(root).name).toBe(expected)
    })
  }

  it('syncs with install after the tool edited package.json', () => {
    expect(installCommand('bun')).toEqual(['bun', 'install'])
  })
})
