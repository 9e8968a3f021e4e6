import { readFileSync } from 'node:fs'
import path from 'node:path'
import { InputError } from '../errors.js'
import { defaultConfig, type EventRouteConfig, type MigrationConfig, type RoomRule } from './types.js'

export const CONFIG_FILE = 'tutor-sse-migrate.config.json'

const HELPERS: readonly RoomRule['helper'][] = ['emitToRoom', 'emitToUser']

/** `--room-prefix chat_=emitToRoom` (or `chat_=room`, `chat_=user`) → a RoomRule. */
export function parseRoomPrefix(value: string): RoomRule {
  const match = /^(.+)=(\w+)$/.exec(value)
  const helper = match?.[2] === 'room' ? 'emitToRoom' : match?.[2] === 'user' ? 'emitToUser' : match?.[2]
  if (!match?.[1] || !HELPERS.includes(helper as RoomRule['helper'])) {
    throw new InputError(`--room-prefix ${value}: expected <prefix>=<emitToRoom|emitToUser|room|user>, e.g. chat_=emitToRoom`)
  }
  return { prefix: match[1], helper: helper as RoomRule['helper'] }
}

function fail(file: string, message: string): never {
  throw new InputError(`${file}: ${message}`)
}

function validate(file: string, raw: unknown): Partial<MigrationConfig> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, 'the config must be a JSON object')
  const known = new Set(['$schema', ...Object.keys(defaultConfig)])
  const config = raw as Record<string, unknown>
  for (const key of Object.keys(config)) if (!known.has(key)) fail(file, `unknown key "${key}" (known: ${[...known].join(', ')})`)
  const out: Partial<MigrationConfig> = {}
  if (config.rooms !== undefined) {
    if (!Array.isArray(config.rooms)) fail(file, '"rooms" must be an array of { prefix, helper }')
    out.rooms = config.rooms.map((rule, i) => {
      const r = rule as Partial<RoomRule>
      if (typeof r?.prefix !== 'string' || !r.prefix || !HELPERS.includes(r.helper as RoomRule['helper'])) {
        fail(file, `rooms[${i}] must be { "prefix": string, "helper": "emitToRoom" | "emitToUser" }`)
      }
      return { prefix: r.prefix, helper: r.helper as RoomRule['helper'] }
    })
  }
  if (config.routeDir !== undefined) {
    if (typeof config.routeDir !== 'string' || path.isAbsolute(config.routeDir) || config.routeDir.split('/').includes('..')) {
      fail(file, '"routeDir" must be a repo-relative directory such as "server/api/chat"')
    }
    out.routeDir = config.routeDir.replace(/\/+$/, '')
  }
  if (config.events !== undefined) {
    if (typeof config.events !== 'object' || config.events === null || Array.isArray(config.events)) {
      fail(file, '"events" must map event names to { file?, existing?, drop? }')
    }
    const events: Record<string, EventRouteConfig> = {}
    for (const [event, value] of Object.entries(config.events as Record<string, unknown>)) {
      const v = value as Record<string, unknown>
      const ok =
        typeof v === 'object' &&
        v !== null &&
        Object.keys(v).every((k) => ['file', 'existing', 'drop'].includes(k)) &&
        (v.file === undefined || typeof v.file === 'string') &&
        (v.existing === undefined || typeof v.existing === 'string') &&
        (v.drop === undefined || typeof v.drop === 'boolean')
      if (!ok) fail(file, `events["${event}"] must be { "file"?: string, "existing"?: string, "drop"?: boolean }`)
      events[event] = v as EventRouteConfig
    }
    out.events = events
  }
  if (config.allowQueryToken !== undefined) {
    if (typeof config.allowQueryToken !== 'boolean') fail(file, '"allowQueryToken" must be true or false')
    out.allowQueryToken = config.allowQueryToken
  }
  return out
}

export interface ConfigOptions {
  /** `--config <file>`; default: tutor-sse-migrate.config.json at the repo root when present. */
  configFile?: string
  /** `--room-prefix` values, added before the config's rules so they win. */
  roomPrefixes?: string[]
}

/** The config file merged over the defaults, then the CLI flags. A bad config is an InputError naming the file. */
export function loadConfig(rootDir: string, options: ConfigOptions = {}): MigrationConfig {
  const file = options.configFile ? path.resolve(options.configFile) : path.join(rootDir, CONFIG_FILE)
  let fromFile: Partial<MigrationConfig> = {}
  let text: string | undefined
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    if (options.configFile) throw new InputError(`${options.configFile}: config file not found`)
  }
  if (text !== undefined) {
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch (error) {
      fail(file, `malformed JSON: ${(error as Error).message}`)
    }
    fromFile = validate(file, raw)
  }
  const cliRooms = (options.roomPrefixes ?? []).map(parseRoomPrefix)
  const rooms = [...cliRooms, ...(fromFile.rooms ?? defaultConfig.rooms)].filter(
    (rule, i, all) => all.findIndex((other) => other.prefix === rule.prefix) === i,
  )
  return {
    rooms,
    routeDir: fromFile.routeDir ?? defaultConfig.routeDir,
    events: { ...defaultConfig.events, ...fromFile.events },
    allowQueryToken: fromFile.allowQueryToken ?? defaultConfig.allowQueryToken,
  }
}
