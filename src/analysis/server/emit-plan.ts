import { Node } from 'ts-morph'
import type { RoomRule } from '../../config/types.js'
import type { FollowUpInput } from '../../followups.js'
import type { FollowUpKind } from '../../followup-catalogue.js'
import { classifyRooms, type RoomTarget } from './rooms.js'
import { renamedEventLiteral, renamedEventNote } from '../stream-events.js'
import { unwrapExpression } from '../../ast/expression.js'
import type { EmitSite } from './types.js'

/** The SSE emit helpers generated code may call (see src/runtime/README.md). */
export const SSE_HELPERS = ['emitToRoom', 'emitToUser', 'emitToChannel', 'broadcast', 'roomChannel', 'userChannel'] as const
export type SseHelper = (typeof SSE_HELPERS)[number]

export type EmitPlan =
  /** `cautions`: migrated, but something to check by hand. */
  | { ok: true; text: string; helpers: SseHelper[]; cautions: FollowUpInput[] }
  | { ok: false; problem: FollowUpInput }

/** Prefixes the runtime publishes under their own name; any other configured prefix is renamed (`chat_5` → `room:5`). */
const CANONICAL_PREFIXES: Record<RoomRule['helper'], string> = { emitToRoom: 'room:', emitToUser: 'user:' }

/** Modifiers that only tune delivery; SSE delivery is the same without them. */
const NEUTRAL_MODIFIERS = new Set(['volatile', 'compress', 'sockets'])

/** The channel helper that names a prefixed room for `emitToChannel`. */
const CHANNEL_OF: Record<RoomRule['helper'], SseHelper> = { emitToRoom: 'roomChannel', emitToUser: 'userChannel' }

/**
 * The SSE call replacing one Socket.IO emit, or why there is no clear equivalent.
 * `io.to(`room:${id}`).emit(e, d)` → `emitToRoom(id, e, d)`; unions → one call; `io.emit` → `broadcast`.
 */
export function planEmit(site: EmitSite, rules: readonly RoomRule[], textOf: (node: Node) => string = (node) => node.getText()): EmitPlan {
  const plan = planEmitCall(site, rules, textOf)
  if (!plan.ok) return plan
  return { ...plan, cautions: [...deliveryCautions(site), ...renamedEventCautions(site), ...plan.cautions] }
}

function renamedEventCautions(site: EmitSite): FollowUpInput[] {
  const renamed = renamedEventLiteral(site.event)
  return renamed ? [{ kind: 'emit/reserved-event-renamed', ...renamedEventNote(renamed) }] : []
}

/** What a migrated emit does differently from the original, though it has an equivalent. */
function deliveryCautions(site: EmitSite): FollowUpInput[] {
  const cautions: FollowUpInput[] = []
  if (site.modifiers.some((modifier) => modifier.name === 'volatile')) {
    cautions.push({
      kind: 'emit/volatile-delivered',
      reason: '`volatile` let Socket.IO drop this event for clients that were not ready; the SSE call always delivers it and replays it after a reconnect',
      action: 'Check that delivering every event (and replaying missed ones) is fine here, e.g. for high-rate cursor or presence updates',
    })
  }
  const stored = site.except.map((node) => unwrapExpression(node).getText()).find((text) => !isOwnSocketId(text))
  if (stored !== undefined) {
    cautions.push({
      kind: 'emit/except-stored-id',
      reason: `\`${stored}\` is an id the app stored earlier; the SSE runtime excludes SSE connection ids, so it must now hold the client's SSE connection id, not a Socket.IO socket id`,
      action: "Store the client's SSE connectionId (useChatSSE().connectionId, sent as x-sse-connection-id) where this id is saved",
    })
  }
  return cautions
}

/** `socket.id` of the handler's own socket: the migrated route knows its caller's connection id. */
function isOwnSocketId(text: string): boolean {
  return /^socket\.id$/.test(text)
}

/** `textOf`: the code of an argument as it will be (an emit nested in it may be rewritten already). */
function planEmitCall(site: EmitSite, rules: readonly RoomRule[], textOf: (node: Node) => string): EmitPlan {
  const unsupported = unsupportedReason(site)
  if (unsupported) return { ok: false, problem: unsupported }
  const except = site.except.map(textOf)
  const exceptProblem = site.except.map(exceptReason).find((reason) => reason !== undefined)
  if (exceptProblem) return { ok: false, problem: exceptProblem }
  const event = renamedEventLiteral(site.event)?.text ?? textOf(site.event!)
  const data = site.data[0] && textOf(site.data[0])
  const options = except.length === 0 ? undefined : `{ except: ${except.length === 1 ? except[0] : `[${except.join(', ')}]`} }`
  const tail = [event, data ?? (options ? 'undefined' : undefined), options].filter((part) => part !== undefined).join(', ')

  if (site.rooms.length === 0) return { ok: true, text: `broadcast(${tail})`, helpers: ['broadcast'], cautions: [] }
  const targets = site.rooms.flatMap((room) => classifyRooms(room, rules))
  const helpers = new Set(targets.map((target) => (target.kind === 'helper' ? target.helper : 'emitToChannel')))
  const only = helpers.size === 1 ? [...helpers][0] : undefined
  if (only && only !== 'emitToChannel') {
    const ids = targets.map((target) => (target.kind === 'helper' ? target.id : ''))
    return { ok: true, text: `${only}(${list(ids)}, ${tail})`, helpers: [only], cautions: [] }
  }
  if (targets.length > 1 && targets.some((target) => target.kind === 'unknown')) {
    return {
      ok: false,
      problem: {
        kind: 'emit/ambiguous-rooms',
        reason: 'a union of rooms where one expression may be a single room or a list; the tool cannot tell how to combine them',
        action: 'Call emitToChannel([...]) with every channel name listed (spread arrays), or one SSE emit per target',
      },
    }
  }
  const used = new Set<SseHelper>(['emitToChannel'])
  const channels = targets.map((target) => channelText(target, used))
  const first = targets[0]!
  const argument = targets.length > 1 ? `[${channels.join(', ')}]` : first.kind === 'helper' ? channels[0]! : first.text
  return { ok: true, text: `emitToChannel(${argument}, ${tail})`, helpers: [...used], cautions: [renamedPrefixCaution(targets, rules)].filter((caution) => caution !== undefined) }
}

/**
 * With a configured prefix the runtime renames (`chat_` → `room:`), a room name built elsewhere
 * (`io.to(roomName)`) may still carry the old prefix and reach nobody.
 */
function renamedPrefixCaution(targets: RoomTarget[], rules: readonly RoomRule[]): FollowUpInput | undefined {
  const renamed = rules.filter((rule) => CANONICAL_PREFIXES[rule.helper] !== rule.prefix).map((rule) => rule.prefix)
  if (renamed.length === 0 || !targets.some((target) => target.kind === 'channels' || target.kind === 'unknown' || (target.kind === 'channel' && !/^[`'"]/.test(target.text)))) {
    return undefined
  }
  return {
    kind: 'emit/renamed-room-prefix',
    reason: `the room name is computed elsewhere; rooms named ${renamed.map((prefix) => `\`${prefix}<id>\``).join(', ')} are published as \`room:<id>\` / \`user:<id>\` after the migration`,
    action: 'Check where the name is built: use roomChannel(id) / userChannel(id) there, or emitToRoom / emitToUser here',
  }
}

function list(items: string[]): string {
  return items.length === 1 ? items[0]! : `[${items.join(', ')}]`
}

function channelText(target: RoomTarget, used: Set<SseHelper>): string {
  if (target.kind === 'channels') return `...${target.text}`
  if (target.kind !== 'helper') return target.text
  const helper = CHANNEL_OF[target.helper]
  used.add(helper)
  return `${helper}(${target.id})`
}

/** The follow-up kind of each Socket.IO server method that has no SSE equivalent. */
const UNSUPPORTED_METHOD_KIND = {
  emitWithAck: 'emit/emitWithAck',
  fetchSockets: 'emit/fetchSockets',
  socketsJoin: 'emit/socketsJoin',
  socketsLeave: 'emit/socketsLeave',
  disconnectSockets: 'emit/disconnectSockets',
  serverSideEmit: 'emit/serverSideEmit',
} as const satisfies Record<Exclude<EmitSite['method'], 'emit'>, FollowUpKind>

/** Why an emit chain has no clear SSE equivalent, or undefined when it has one. */
function unsupportedReason(site: EmitSite): FollowUpInput | undefined {
  if (site.method !== 'emit') {
    return {
      kind: UNSUPPORTED_METHOD_KIND[site.method],
      reason: `\`${site.method}\` acts on live Socket.IO connections (or waits for their answers); SSE connections cannot answer and are managed by the runtime`,
      action: methodAction(site.method),
    }
  }
  for (const modifier of site.modifiers) {
    if (NEUTRAL_MODIFIERS.has(modifier.name)) continue
    if (modifier.name === 'of' && isDefaultNamespace(modifier.args[0])) continue
    if (modifier.name === 'timeout') {
      return {
        kind: 'emit/timeout-ack',
        reason: '`timeout().emit(..., callback)` waits for acknowledgements from clients; SSE is one-way',
        action: 'Let clients confirm through a REST call, or drop the acknowledgement and call the SSE emit helper',
      }
    }
    if (modifier.name === 'local') {
      return {
        kind: 'emit/local',
        reason: '`io.local` reaches only this instance; the SSE runtime always delivers through its broker to every instance',
        action: 'Decide whether every instance should get the event, then use the SSE emit helper',
      }
    }
    return {
      kind: 'emit/namespace',
      reason: 'emits to a Socket.IO namespace other than `/`; the SSE runtime has channels, not namespaces',
      action: 'Map the namespace to channels (e.g. emitToChannel(`<namespace>:<room>`, ...)) and subscribe clients to them',
    }
  }
  if (!site.event) {
    return { kind: 'emit/no-event', reason: 'emit without an event name', action: 'Rewrite it by hand with an SSE emit helper' }
  }
  const last = site.data[site.data.length - 1]
  if (last && isFunction(last)) {
    return {
      kind: 'emit/ack-callback',
      reason: 'the emit passes an acknowledgement callback; SSE clients cannot answer',
      action: 'Let clients confirm through a REST call, or drop the callback and call the SSE emit helper',
    }
  }
  if (site.data.length > 1) {
    return {
      kind: 'emit/multiple-arguments',
      reason: 'the emit sends several data arguments; an SSE event carries one data value',
      action: 'Combine the arguments into one object, update the client listener, and call the SSE emit helper',
    }
  }
  return undefined
}

function methodAction(method: EmitSite['method']): string {
  switch (method) {
    case 'socketsJoin':
    case 'socketsLeave':
      return 'Subscribe or unsubscribe the SSE connections with subscribe()/unsubscribe() from server/utils/sse, or join at connection time in channelsForConnection()'
    case 'fetchSockets':
      return 'Keep your own presence list (e.g. in Redis) if you need to know who is online'
    case 'disconnectSockets':
      return 'Close the users\' SSE streams from the runtime (or let their tokens expire)'
    case 'emitWithAck':
      return 'Let clients confirm through a REST call, or drop the acknowledgement and call the SSE emit helper'
    default:
      return 'Rewrite it by hand with the SSE runtime (server/utils/sse)'
  }
}

/** `.except(x)` maps to the runtime's `except` option only for connection ids (`socket.id`). */
function exceptReason(node: Node): FollowUpInput | undefined {
  const target = unwrapExpression(node)
  const text = target.getText()
  if (/(^|\.)id$/.test(text) && /socket/i.test(text)) return undefined
  if (/(socket|connection)Ids?$/i.test(text)) return undefined
  return {
    kind: 'emit/except-room',
    reason: '`.except()` excludes a room here; the SSE runtime can only exclude connection ids',
    action: 'Filter the recipients yourself (e.g. emit to each user except the excluded ones), or exclude the sender\'s connection id',
  }
}

function isDefaultNamespace(node: Node | undefined): boolean {
  if (!node) return false
  const target = unwrapExpression(node)
  return (Node.isStringLiteral(target) || Node.isNoSubstitutionTemplateLiteral(target)) && target.getLiteralValue() === '/'
}

function isFunction(node: Node): boolean {
  const target = unwrapExpression(node)
  return Node.isArrowFunction(target) || Node.isFunctionExpression(target)
}
