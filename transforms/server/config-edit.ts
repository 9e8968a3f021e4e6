import { ts } from 'ts-morph'
import { configObject, nameOf, objectAt, property } from '../../src/analysis/server/nuxt-config.js'
import { propertyRemoval } from '../../src/ast/object-literal.js'

/** Upper bound of removal passes over nuxt.config (each pass removes one property). */
const MAX_PASSES = 50

/** Runtime-config keys that hold Socket.IO settings (`socketIo`, `socketPath`, `socketUrl`, `wsPort`, ...). */
const SOCKET_KEY = /socket|^ws([A-Z]|$)/i

export interface NuxtConfigEditOptions {
  /** Remove `nitro.experimental.websocket` (nothing else defines a WebSocket handler). */
  removeWebsocketFlag: boolean
  /** True when no code left after the migration reads this runtime-config key. */
  isKeyUnused(key: string): boolean
}

/** One removal to make in the config, with the parent objects it may leave empty. */
interface Found {
  object: ts.ObjectLiteralExpression
  property: ts.ObjectLiteralElementLike
  label: string
}

function nextRemoval(
  file: ts.SourceFile,
  root: ts.ObjectLiteralExpression,
  options: NuxtConfigEditOptions,
  emptiedByUs: ReadonlySet<string>,
): Found | undefined {
  const experimental = objectAt(root, ['nitro', 'experimental'], file)
  const websocket = experimental ? property(experimental, 'websocket', file) : undefined
  if (websocket && options.removeWebsocketFlag) return { object: experimental!, property: websocket, label: 'nitro.experimental.websocket' }
  for (const path of [['routeRules'], ['nitro', 'routeRules']]) {
    const rules = objectAt(root, path, file)
    const rule = rules?.properties.find((candidate) => /socket\.io/.test(nameOf(candidate, file) ?? ''))
    if (rules && rule) return { object: rules, property: rule, label: `${path.join('.')}['${nameOf(rule, file)}']` }
  }
  for (const path of [['runtimeConfig'], ['runtimeConfig', 'public']]) {
    const config = objectAt(root, path, file)
    const key = config?.properties.find((candidate) => {
      const name = nameOf(candidate, file)
      return name !== undefined && SOCKET_KEY.test(name) && options.isKeyUnused(name)
    })
    if (config && key) return { object: config, property: key, label: `${path.join('.')}.${nameOf(key, file)}` }
  }
  // Objects our removals emptied (`experimental: {}`, `nitro: {}`, `routeRules: {}`) go too; never ones the user left empty.
  for (const path of [['nitro', 'experimental'], ['nitro', 'routeRules'], ['routeRules'], ['nitro']]) {
    if (!emptiedByUs.has(path.join('.'))) continue
    const parentPath = path.slice(0, -1)
    const parent = parentPath.length === 0 ? root : objectAt(root, parentPath, file)
    const emptied = objectAt(root, path, file)
    const holder = parent ? property(parent, path[path.length - 1]!, file) : undefined
    if (parent && holder && emptied && emptied.properties.length === 0) return { object: parent, property: holder, label: path.join('.') }
  }
  return undefined
}

/**
 * Remove Socket.IO from a nuxt.config text: `nitro.experimental.websocket` (when allowed), route rules
 * for `/socket.io`, and unused Socket.IO runtime-config keys. Objects emptied by that are removed too.
 * Returns the new text and what was removed; formatting elsewhere is untouched.
 */
export function removeSocketIoFromNuxtConfig(text: string, options: NuxtConfigEditOptions): { text: string; removed: string[] } {
  let current = text
  const removed: string[] = []
  const emptiedByUs = new Set<string>()
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const file = ts.createSourceFile('nuxt.config.ts', current, ts.ScriptTarget.Latest, true)
    const root = configObject(file)
    if (!root) break
    const found = nextRemoval(file, root, options, emptiedByUs)
    if (!found) break
    const edit = propertyRemoval(file, found.object, found.property)
    current = current.slice(0, edit.start) + edit.text + current.slice(edit.end)
    removed.push(found.label)
    if (found.object.properties.length === 1) emptiedByUs.add(found.label.replace(/(\.[^.[]+|\['[^']*'\])$/, ''))
  }
  return { text: current, removed }
}

/** The indentation of the line a position is on. */
function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? ''
}

/**
 * The start of the line where a property's own description begins: the comment lines directly above it
 * (no blank line between) belong to it, so code inserted before the property goes above them.
 */
function startOfDescribedLine(text: string, target: ts.Node, file: ts.SourceFile): number {
  let start = text.lastIndexOf('\n', target.getStart(file) - 1) + 1
  const comments = ts.getLeadingCommentRanges(text, target.pos) ?? []
  for (let index = comments.length - 1; index >= 0; index--) {
    const comment = comments[index]!
    const between = text.slice(comment.end, start)
    const lineStart = text.lastIndexOf('\n', comment.pos - 1) + 1
    const ownLine = text.slice(lineStart, comment.pos).trim() === ''
    if (!ownLine || (between.match(/\n/g)?.length ?? 0) > 1 || between.trim() !== '') break
    start = lineStart
  }
  return start
}

/** Add `sse: { redisUrl: <value> }` to `runtimeConfig`; see `addSseSetting`. */
export function addSseRedisUrl(text: string, value: string, comment: string): string {
  return addSseSetting(text, 'redisUrl', value, comment)
}

/**
 * Add `sse: { <key>: <value> }` to `runtimeConfig` (each created when missing), in the file's own
 * indentation and comma style, before `public` when there is one. Unchanged when `sse.<key>` exists.
 */
export function addSseSetting(text: string, key: string, value: string, comment: string): string {
  const file = ts.createSourceFile('nuxt.config.ts', text, ts.ScriptTarget.Latest, true)
  const root = configObject(file)
  if (!root) return text
  const existing = objectAt(root, ['runtimeConfig', 'sse'], file)
  if (existing && property(existing, key, file)) return text
  const runtimeConfig = objectAt(root, ['runtimeConfig'], file)
  const container = existing ?? runtimeConfig ?? root
  const siblings = container.properties
  const last = siblings[siblings.length - 1]
  const trailingComma = last === undefined || text.slice(last.end).trimStart().startsWith(',')
  const comma = trailingComma ? ',' : ''
  const outerIndent = lineIndent(text, container.getStart(file))
  const indent = last ? lineIndent(text, last.getStart(file)) : `${outerIndent}  `
  const unit = indent.slice(outerIndent.length) || '  '
  const lines = existing
    ? [`${indent}// ${comment}`, `${indent}${key}: ${value}${comma}`]
    : runtimeConfig
      ? [`${indent}// ${comment}`, `${indent}sse: {`, `${indent}${unit}${key}: ${value}${comma}`, `${indent}}${comma}`]
      : [`${indent}runtimeConfig: {`, `${indent}${unit}// ${comment}`, `${indent}${unit}sse: {`, `${indent}${unit}${unit}${key}: ${value}${comma}`, `${indent}${unit}}${comma}`, `${indent}}${comma}`]
  const before = !existing && runtimeConfig ? property(runtimeConfig, 'public', file) : undefined
  if (before) {
    // A sibling follows, so the block needs its comma whatever the file's trailing-comma style.
    const block = lines.map((line, index) => (index === lines.length - 1 && !line.endsWith(',') ? `${line},` : line))
    const lineStart = startOfDescribedLine(text, before, file)
    return text.slice(0, lineStart) + block.join('\n') + '\n' + text.slice(lineStart)
  }
  if (!last) {
    const close = container.end - 1
    return text.slice(0, container.getStart(file) + 1) + '\n' + lines.join('\n') + '\n' + outerIndent + text.slice(close)
  }
  const insertAt = trailingComma ? text.indexOf(',', last.end) + 1 : last.end
  const separator = trailingComma ? '' : ','
  return text.slice(0, insertAt) + separator + '\n' + lines.join('\n') + text.slice(insertAt)
}
