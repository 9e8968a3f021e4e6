import { Node, type CallExpression } from 'ts-morph'
import { parentThroughWrappers } from './syntax.js'
import type { EmitMethod, EmitModifier, EmitSite, IoMemberUse } from './types.js'

const EMIT_METHODS = new Set<EmitMethod>([
  'emit',
  'emitWithAck',
  'fetchSockets',
  'socketsJoin',
  'socketsLeave',
  'disconnectSockets',
  'serverSideEmit',
])
/** Methods whose first argument is the event name. */
const EVENT_METHODS = new Set<EmitMethod>(['emit', 'emitWithAck', 'serverSideEmit'])
/** Chain links that are calls returning a broadcast operator. */
const TARGET_CALLS = new Set(['to', 'in', 'except'])
const MODIFIER_CALLS = new Set(['timeout', 'compress', 'of'])
const MODIFIER_PROPERTIES = new Set(['volatile', 'local', 'sockets'])
/** A chain longer than this is not Socket.IO code. */
const MAX_LINKS = 40

export interface ChainResult {
  emit?: EmitSite
  connectionHandler?: CallExpression
  middleware?: CallExpression
  memberUse?: IoMemberUse
}

/**
 * Follow the member chain that starts at an io expression: `io.to(a).except(b).volatile.emit(e, d)`.
 * Returns what the chain ends in: an emit, a connection handler, a middleware, or another member use.
 */
export function walkChain(receiver: Node, file: string): ChainResult {
  const rooms: Node[] = []
  const except: Node[] = []
  const modifiers: EmitModifier[] = []
  let current: Node = receiver
  for (let link = 0; link < MAX_LINKS; link++) {
    const { parent, child } = parentThroughWrappers(current)
    if (!parent || !Node.isPropertyAccessExpression(parent) || parent.getExpression() !== child) break
    const name = parent.getName()
    const call = parent.getParent()
    const called = Node.isCallExpression(call) && call.getExpression() === parent ? call : undefined
    if (called && TARGET_CALLS.has(name)) {
      ;(name === 'except' ? except : rooms).push(...called.getArguments())
      current = called
    } else if (called && MODIFIER_CALLS.has(name)) {
      modifiers.push({ name: name as EmitModifier['name'], args: called.getArguments() })
      current = called
    } else if (!called && MODIFIER_PROPERTIES.has(name)) {
      modifiers.push({ name: name as EmitModifier['name'], args: [] })
      current = parent
    } else if (called && EMIT_METHODS.has(name as EmitMethod)) {
      const method = name as EmitMethod
      const args = called.getArguments()
      const hasEvent = EVENT_METHODS.has(method)
      return {
        emit: {
          file,
          call: called,
          receiver,
          method,
          rooms,
          except,
          modifiers,
          event: hasEvent ? args[0] : undefined,
          data: hasEvent ? args.slice(1) : args,
        },
      }
    } else if (called && name === 'on' && rooms.length === 0 && except.length === 0 && isConnectionEvent(called)) {
      return { connectionHandler: called }
    } else if (called && name === 'use' && rooms.length === 0) {
      return { middleware: called }
    } else {
      return { memberUse: { file, member: name, node: called ?? parent, receiver } }
    }
  }
  // The chain stopped before a terminal call: a partial chain stored or passed on (`const room = io.to(r)`).
  return current === receiver ? {} : { memberUse: { file, member: 'partial-chain', node: current, receiver } }
}

function isConnectionEvent(call: CallExpression): boolean {
  const first = call.getArguments()[0]
  if (!first || !(Node.isStringLiteral(first) || Node.isNoSubstitutionTemplateLiteral(first))) return false
  return first.getLiteralValue() === 'connection' || first.getLiteralValue() === 'connect'
}
