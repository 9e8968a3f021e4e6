import { Node, type Block, type CallExpression, type ObjectLiteralExpression, type SourceFile } from 'ts-morph'
import type { SocketMemberUse } from '../../src/analysis/client/types.js'
import type { ScriptEditor } from './editor.js'
import { indentOf } from '../shared/reindent.js'
import { LIFECYCLE, type LifecyclePair } from './lifecycle-pair.js'
import { identifierNames } from '../../src/ast/walk.js'
import { eventName } from '../../src/analysis/event-name.js'
import { freeName } from '../../src/text/free-name.js'

/** Finds the on/off pairs of lifecycle listeners and stages the declaration of their remover. */
export function pairLifecycleListeners(ed: ScriptEditor): Map<CallExpression, LifecyclePair> {
  const pairs = new Map<CallExpression, LifecyclePair>()
  const listeners = ed.script.members.filter((m) => m.call && (m.name === 'on' || m.name === 'off') && lifecycleEvent(m) !== undefined)
  const taken = identifierNames(ed.script.block.sourceFile)
  const dataEntries = new Map<ObjectLiteralExpression, string[]>()
  for (const off of listeners.filter((m) => m.name === 'off')) {
    const on = listeners.find((m) => m.name === 'on' && lifecycleEvent(m) === lifecycleEvent(off) && sameListener(m, off))
    if (!on?.call || !off.call || pairs.has(on.call)) continue
    const name = freeName(`stop${capitalize(handlerName(on.call) ?? LIFECYCLE[lifecycleEvent(on)!]!)}`, taken)
    const holder = declareRemover(ed, on.call, off.call, name, dataEntries)
    if (!holder) continue
    taken.add(name)
    const pair = { on: on.call, off: off.call, holder }
    pairs.set(on.call, pair)
    pairs.set(off.call, pair)
  }
  for (const [data, entries] of dataEntries) addDataEntries(ed, data, entries)
  return pairs
}

/** Widest `data()` object kept on one line; longer ones are written one property per line. */
const MAX_INLINE = 100

/** Adds properties to the object `data()` returns, in the layout it already has. */
function addDataEntries(ed: ScriptEditor, data: ObjectLiteralExpression, entries: string[]): void {
  const props = data.getProperties()
  const last = props.at(-1)
  const multiline = data.getText().includes('\n')
  if (multiline && last) {
    const lines = entries.map((entry) => `\n${indentOf(last)}${entry}`)
    const trailingComma = data.getText().replace(/\s*}$/, '').endsWith(',')
    if (trailingComma) ed.insert(last.getEnd() + 1, lines.map((line) => `${line},`).join(''))
    else ed.insert(last.getEnd(), `,${lines.join(',')}`)
    return
  }
  const all = [...props.map((p) => p.getText()), ...entries]
  const inline = `{ ${all.join(', ')} }`
  if (indentOf(data).length + inline.length <= MAX_INLINE) {
    ed.replace(data, inline)
    return
  }
  const outer = indentOf(data)
  ed.replace(data, `{\n${all.map((p) => `${outer}${ed.style.indent}${p},`).join('\n')}\n${outer}}`)
}

function lifecycleEvent(use: SocketMemberUse): string | undefined {
  const event = eventName(use.call?.getArguments()[0])
  return event !== undefined && LIFECYCLE[event] ? event : undefined
}

/** Same receiver (`socket.value?.` and `socket.value.` alike) and the same handler. */
function sameListener(a: SocketMemberUse, b: SocketMemberUse): boolean {
  const receiver = (u: SocketMemberUse) => u.access.getExpression().getText()
  const handler = (u: SocketMemberUse) => u.call?.getArguments()[1]?.getText()
  return receiver(a) === receiver(b) && handler(a) !== undefined && handler(a) === handler(b)
}

function handlerName(call: CallExpression): string | undefined {
  const handler = call.getArguments()[1]
  if (!handler) return undefined
  if (Node.isIdentifier(handler)) return handler.getText()
  if (Node.isPropertyAccessExpression(handler) && Node.isThisExpression(handler.getExpression())) return handler.getName()
  return undefined
}

/**
 * Declares the remover where both calls see it: a `let` in the innermost function body holding
 * both, or a data property when they sit in two methods of an Options API component.
 */
function declareRemover(ed: ScriptEditor, on: CallExpression, off: CallExpression, name: string, dataEntries: Map<ObjectLiteralExpression, string[]>): string | undefined {
  const ts = ed.script.block.lang === 'ts'
  const block = commonBody(on, off)
  if (block) {
    const statement = block.getStatements().find((s) => s.getStart() <= Math.min(on.getStart(), off.getStart()) && s.getEnd() >= Math.min(on.getStart(), off.getStart()))
    if (!statement) return undefined
    ed.insert(statement.getStart(), `let ${name}${ts ? ': (() => void) | undefined' : ''}${ed.style.semicolons ? ';' : ''}\n${indentOf(statement)}`)
    return name
  }
  const data = optionsData(on)
  if (!data || optionsData(off) !== data) return undefined
  const entries = dataEntries.get(data) ?? []
  entries.push(`${name}: undefined${ts ? ' as (() => void) | undefined' : ''}`)
  dataEntries.set(data, entries)
  return `this.${name}`
}

/** The innermost function body (or the module) containing both nodes. */
function commonBody(a: Node, b: Node): Block | SourceFile | undefined {
  const bodies = (n: Node): Block[] => n.getAncestors().filter((x): x is Block => Node.isBlock(x) && isFunctionBody(x))
  const ofB = new Set(bodies(b))
  const shared = bodies(a).find((x) => ofB.has(x))
  if (shared) return shared
  const sf = a.getSourceFile()
  const outside = (n: Node) => !n.getAncestors().some((x) => Node.isMethodDeclaration(x) || Node.isObjectLiteralExpression(x))
  return outside(a) && outside(b) ? sf : undefined
}

function isFunctionBody(block: Node): boolean {
  const parent = block.getParent()
  return parent !== undefined && (Node.isFunctionDeclaration(parent) || Node.isArrowFunction(parent) || Node.isFunctionExpression(parent) || Node.isMethodDeclaration(parent))
}

/** The object literal `data()` returns in the Options API component around a node. */
function optionsData(node: Node): ObjectLiteralExpression | undefined {
  const options = node.getAncestors().find((a) => Node.isObjectLiteralExpression(a) && Node.isCallExpression(a.getParent()) && /^define(Nuxt)?Component$/.test((a.getParent() as CallExpression).getExpression().getText()))
    ?? node.getAncestors().find((a) => Node.isObjectLiteralExpression(a) && Node.isExportAssignment(a.getParent()))
  if (!options || !Node.isObjectLiteralExpression(options)) return undefined
  const data = options.getProperty('data')
  if (!data || !Node.isMethodDeclaration(data)) return undefined
  const returned = data.getStatements().find((s) => Node.isReturnStatement(s))
  const value = returned && Node.isReturnStatement(returned) ? returned.getExpression() : undefined
  return value && Node.isObjectLiteralExpression(value) ? value : undefined
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
