import { Node, SyntaxKind, type CallExpression, type PropertyAccessExpression, type SourceFile, type TypeReferenceNode } from 'ts-morph'
import type { AnalysisContext } from '../context.js'
import type { NuxtLayout, ScriptBlock, SourceUnit } from '../../project/types.js'
import { CLIENT_PACKAGE, clientBindings, isSocketTypeName, type ClientBindings } from './imports.js'
import { outlivesComponent } from './lifetime.js'
import { findSocketPlugins } from './plugins.js'
import { findRestBase } from './rest-base.js'
import { SocketResolver } from './resolve.js'
import { containerOf, isNuxtAppExpression, isReactiveContainer } from './syntax.js'
import { unwrapExpression } from '../../ast/expression.js'
import type { ClientModel, ClientScript, ProvidedSocketUse } from './types.js'
import { descendantsOfKind, identifiers } from '../../ast/walk.js'

/** Passes of the cross-file fixpoint; each pass can only add knowledge, so a few suffice for real apps. */
const MAX_PASSES = 8

/** Finds every socket.io-client socket of the app, everything that holds or reads it, and what is done with it. */
export function analyseClient(ctx: AnalysisContext): Omit<ClientModel, 'unrecognised'> {
  const blocks: { unit: SourceUnit; block: ScriptBlock }[] = []
  for (const unit of ctx.repo.units.values()) for (const block of unit.scripts) blocks.push({ unit, block })
  const bindingsByFile = new Map<SourceFile, ClientBindings>()
  const bindingsOf = (node: Node): ClientBindings => {
    const sf = node.getSourceFile()
    let bindings = bindingsByFile.get(sf)
    if (!bindings) bindingsByFile.set(sf, (bindings = clientBindings(sf)))
    return bindings
  }
  const resolver = new SocketResolver(bindingsOf)
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const before = resolver.version
    for (const { block } of blocks) if (mayHoldSocket(resolver, block)) resolver.learn(block)
    if (resolver.version === before) break
  }
  const keptEvents = [...new Set(blocks.flatMap(({ block }) => keptSocketCalls(block.sourceFile).flatMap((kept) => kept.events)))]
  const scripts: ClientScript[] = []
  for (const { unit, block } of blocks) {
    // Server code staying on Socket.IO emits the kept events too, on its io server, not on a handle.
    const keptHandleCalls = !unit.absPath.startsWith(ctx.repo.layout.serverDir + '/') && sendsKeptEvent(block, keptEvents)
    if (!mayHoldSocket(resolver, block) && !keptHandleCalls) continue
    const script = collect(resolver, bindingsOf(block.sourceFile), ctx.repo.layout, unit, block, keptEvents)
    if (isEmpty(script)) continue
    scripts.push(script)
  }
  const restBase = scripts.length > 0 ? findRestBase(ctx) : undefined
  return { scripts, plugins: findSocketPlugins(resolver, blocks), keptEvents, ...(restBase ? { restBase } : {}) }
}

/** `useChatSSE({ socketIO: { socket: io(...), events: [...] } })` calls of an earlier run: the socket's io() call and its events. */
function keptSocketCalls(sf: SourceFile): { handle: CallExpression; socket: Node; events: string[] }[] {
  if (!sf.getFullText().includes('socketIO')) return []
  const found: { handle: CallExpression; socket: Node; events: string[] }[] = []
  for (const call of descendantsOfKind(sf, SyntaxKind.CallExpression)) {
    if (call.getExpression().getText() !== 'useChatSSE') continue
    const options = call.getArguments()[0]
    const socketIO = options && Node.isObjectLiteralExpression(options) ? options.getProperty('socketIO') : undefined
    const value = socketIO && Node.isPropertyAssignment(socketIO) ? socketIO.getInitializer() : undefined
    if (!value || !Node.isObjectLiteralExpression(value)) continue
    const socket = value.getProperty('socket')
    const events = value.getProperty('events')
    const socketValue = socket && Node.isPropertyAssignment(socket) ? socket.getInitializer() : undefined
    const list = events && Node.isPropertyAssignment(events) ? events.getInitializer() : undefined
    if (!socketValue || !list || !Node.isArrayLiteralExpression(list)) continue
    found.push({ handle: call, socket: socketValue, events: list.getElements().flatMap((e) => (Node.isStringLiteral(e) || Node.isNoSubstitutionTemplateLiteral(e) ? [e.getLiteralValue()] : [])) })
  }
  return found
}

/** A block that may emit an event kept on Socket.IO through a stream handle (which names no socket). */
function sendsKeptEvent(block: ScriptBlock, keptEvents: readonly string[]): boolean {
  const text = block.sourceFile.getFullText()
  return keptEvents.some((event) => text.includes(event)) && /\.emit(WithAck)?\(/.test(text)
}

/** `handle.emit('poke', …)` / `emitWithAck`: a call of an event kept on Socket.IO, on whatever holds the handle. */
function keptEventCall(access: PropertyAccessExpression, keptEvents: readonly string[]): CallExpression | undefined {
  if (access.getName() !== 'emit' && access.getName() !== 'emitWithAck') return undefined
  const call = access.getParent()
  if (!Node.isCallExpression(call) || call.getExpression() !== access) return undefined
  const event = call.getArguments()[0]
  return event && (Node.isStringLiteral(event) || Node.isNoSubstitutionTemplateLiteral(event)) && keptEvents.includes(event.getLiteralValue()) ? call : undefined
}

/**
 * Only blocks that import socket.io-client or name something known to yield a socket (a composable,
 * an inject key, a Nuxt provide key) can hold one; the rest of a large app is skipped by a text test.
 */
function mayHoldSocket(resolver: SocketResolver, block: ScriptBlock): boolean {
  const text = block.sourceFile.getFullText()
  if (text.includes(CLIENT_PACKAGE)) return true
  for (const name of resolver.functions.keys()) if (text.includes(name)) return true
  for (const key of resolver.injects.keys()) if (text.includes(key.replace(/^#/, ''))) return true
  for (const key of resolver.provided.keys()) if (text.includes(`$${key}`)) return true
  for (const name of resolver.exported.keys()) if (text.includes(name)) return true
  return false
}

function collect(resolver: SocketResolver, bindings: ClientBindings, layout: NuxtLayout, unit: SourceUnit, block: ScriptBlock, keptEvents: readonly string[]): ClientScript {
  const sf = block.sourceFile
  const script: ClientScript = {
    unit,
    block,
    imports: bindings.declarations,
    creations: [],
    members: [],
    socketTypes: [],
    refHolders: [],
    readonlyWraps: [],
    rawTypes: [],
    provided: [],
    unsupported: [],
  }
  const keptBy = new Map(keptSocketCalls(sf).map((kept) => [kept.socket, kept.handle]))
  for (const call of descendantsOfKind(sf, SyntaxKind.CallExpression)) {
    if (resolver.isFactoryCall(call)) {
      const handle = keptBy.get(call)
      script.creations.push({
        call,
        reactiveContainer: landsInReactiveContainer(handle ?? call),
        outlivesComponent: outlivesComponent(layout, unit, block, handle ?? call),
        ...(handle ? { keptBy: handle } : {}),
      })
    } else if (resolver.isSocketRefFactory(call)) {
      script.refHolders.push(call)
    } else if (['readonly'].includes(call.getExpression().getText())) {
      const arg = call.getArguments()[0]
      if (arg && resolver.kindOf(arg) === 'ref' && !holdsOnlyRawValues(arg)) script.readonlyWraps.push(call)
    }
  }
  for (const access of descendantsOfKind(sf, SyntaxKind.PropertyAccessExpression)) {
    const object = access.getExpression()
    if (resolver.kindOf(object) === 'socket') {
      const parent = access.getParent()
      const call = Node.isCallExpression(parent) && parent.getExpression() === access ? parent : undefined
      script.members.push({ access, name: access.getName(), call })
    } else {
      const call = keptEventCall(access, keptEvents)
      if (call) script.members.push({ access, name: access.getName(), call })
    }
    const name = access.getName()
    if (name.startsWith('$') && resolver.provided.has(name.slice(1)) && isNuxtAppExpression(object)) {
      const form: ProvidedSocketUse['form'] = Node.isThisExpression(unwrapExpression(object)) ? 'this' : 'access'
      script.provided.push({ key: name.slice(1), node: access, form })
    }
  }
  for (const element of descendantsOfKind(sf, SyntaxKind.BindingElement)) {
    const prop = element.getPropertyNameNode()?.getText() ?? element.getName()
    const decl = element.getFirstAncestorByKind(SyntaxKind.VariableDeclaration)
    const init = decl?.getInitializer()
    if (!decl || !init || !prop.startsWith('$') || !resolver.provided.has(prop.slice(1))) continue
    if (isNuxtAppExpression(init)) script.provided.push({ key: prop.slice(1), node: decl, form: 'destructure' })
  }
  for (const ref of descendantsOfKind(sf, SyntaxKind.TypeReference)) {
    const name = ref.getTypeName().getText()
    if (isSocketTypeName(bindings, name) || isFactoryReturnType(bindings, ref)) {
      const state = ref.getFirstAncestorByKind(SyntaxKind.PropertyAssignment)
      const container = state ? containerOf(state) : undefined
      // Props are passed in as they are; only state and data are made deeply reactive.
      const inProps = ref.getAncestors().some((a) => Node.isPropertyAssignment(a) && a.getName() === 'props')
      if (container && isReactiveContainer(container) && !inProps) script.rawTypes.push(ref)
      else script.socketTypes.push(ref)
    } else if (bindings.others.has(name.split('.')[0] ?? name)) {
      script.unsupported.push({
        node: ref,
        kind: 'client/unknown-type',
        reason: `the socket.io-client type \`${name}\` has no counterpart on the SSE stream`,
        action: 'replace it by hand with the types of useChatSSE() (app/composables/useChatSSE.ts)',
      })
    }
  }
  for (const id of identifiers(sf)) {
    const name = id.getText()
    if (!bindings.factories.has(name) && !bindings.others.has(name) && !bindings.namespaces.has(name)) continue
    if (id.getFirstAncestorByKind(SyntaxKind.ImportDeclaration) || id.getFirstAncestorByKind(SyntaxKind.TypeReference) || isMemberName(id)) continue
    const parent = id.getParent()
    const call = parent && Node.isPropertyAccessExpression(parent) ? parent.getParent() : parent
    if (call && resolver.isFactoryCall(call)) continue
    script.unsupported.push({
      node: id.getParent() ?? id,
      kind: 'client/unknown-use',
      reason: `\`${name}\` of socket.io-client is used in a way the tool does not migrate`,
      action: 'rewrite it by hand with useChatSSE() (see app/composables/useChatSSE.ts)',
    })
  }
  return script
}

/** `ReturnType<typeof io>`: the socket type, spelled through the factory. */
function isFactoryReturnType(bindings: ClientBindings, ref: TypeReferenceNode): boolean {
  const [argument, ...rest] = ref.getTypeArguments()
  if (ref.getTypeName().getText() !== 'ReturnType' || !argument || rest.length > 0 || !Node.isTypeQuery(argument)) return false
  return bindings.factories.has(argument.getExprName().getText())
}

/** `x.io`, `{ io: 1 }`: a property name, not a reference to an import. */
function isMemberName(id: Node): boolean {
  const parent = id.getParent()
  if (!parent) return false
  if (Node.isPropertyAccessExpression(parent) || Node.isPropertyAssignment(parent) || Node.isMethodDeclaration(parent) || Node.isPropertyDeclaration(parent) || Node.isPropertySignature(parent)) {
    return parent.getNameNode() === id
  }
  return false
}

/** `this.socket = io()` inside a Pinia option store or an Options API component (state Vue makes deeply reactive). */
function landsInReactiveContainer(call: Node): boolean {
  const parent = call.getParent()
  if (!parent || !Node.isBinaryExpression(parent) || parent.getRight() !== call) return false
  const left = unwrapExpression(parent.getLeft())
  if (!Node.isPropertyAccessExpression(left) || !Node.isThisExpression(unwrapExpression(left.getExpression()))) return false
  const container = containerOf(left)
  return container !== undefined && isReactiveContainer(container)
}

/**
 * `socket.value = markRaw(io())`: Vue's readonly() skips raw objects, so `readonly(socket)` already
 * hands the stream out untouched and can stay.
 */
function holdsOnlyRawValues(ref: Node): boolean {
  const target = `${ref.getText()}.value`
  const stores = ref
    .getSourceFile()
    .getDescendantsOfKind(SyntaxKind.BinaryExpression)
    .filter((b) => b.getOperatorToken().getKind() === SyntaxKind.EqualsToken && b.getLeft().getText() === target && b.getRight().getText() !== 'null')
  return stores.length > 0 && stores.every((b) => b.getRight().getText().startsWith('markRaw('))
}

function isEmpty(script: ClientScript): boolean {
  return (
    script.imports.length === 0 &&
    script.creations.length === 0 &&
    script.members.length === 0 &&
    script.socketTypes.length === 0 &&
    script.rawTypes.length === 0 &&
    script.provided.length === 0
  )
}
