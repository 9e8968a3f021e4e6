// What the page shows from the stream, and the app's own code that loads it: what a stream reset must rerun.
import { Node, SyntaxKind, type CallExpression, type ParameterDeclaration } from 'ts-morph'
import { localDeclarations } from '../../ast/scope.js'
import { descendantsOfKind, descendantsWhere } from '../../ast/walk.js'
import { eventName } from '../event-name.js'
import { heldEntityOf, type HeldEntity } from './held-entity.js'
import { unwrapExpression } from '../../ast/expression.js'
import type { SocketMemberUse } from './types.js'

/** Socket.IO's own events: their listeners do not hold the server's data. `error` hears failed requests. */
const NOT_DATA = new Set(['connect', 'disconnect', 'connect_error', 'error'])
/** Methods that change the collection they are called on. */
const MUTATORS = new Set(['set', 'delete', 'clear', 'add', 'push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin'])
/** How far an alias (`const room = rooms.value.find(...)`) is followed back to the state it came from. */
const MAX_ALIAS_DEPTH = 8

type FunctionLike = Node & { getBody(): Node | undefined; getParameters(): ParameterDeclaration[] }

/** The app's stream listeners registered together (one receiver, one block), and what they change. */
export interface ListenerGroup {
  listeners: SocketMemberUse[]
  /** The last listener statement: a reset handler goes after it. */
  last: Node
  /** Keys of the state the listeners change (see `stateKey`), with the names to report them by. */
  state: Map<string, string>
}

/** A function of the app that replaces state the listeners change with what it fetched. */
export interface Loader {
  fn: FunctionLike
  /** How it is called: `loadMessages` or `this.fetchMessages`. */
  callee: string
  /** Its one required parameter is the key of a Map it fills (`messages.value.set(roomId, …)`): the Map, as code. */
  keyedBy?: { map: string; param: string }
  /** Its one required parameter names the entity it stores in a ref: called again with the one the ref holds. */
  entity?: HeldEntity
  /** It has required parameters nothing says how to fill. */
  needsArguments: boolean
  /** Every failure inside it is caught and not rethrown, so a call of it never rejects. */
  quiet: boolean
  /** Called by the code that runs when the socket (re)connects. */
  runsOnOpen: boolean
}

/** The listeners of the app's events, grouped by receiver and block, with the state they change. */
export function listenerGroups(members: readonly SocketMemberUse[]): ListenerGroup[] {
  const groups = new Map<string, ListenerGroup>()
  for (const use of members) {
    if ((use.name !== 'on' && use.name !== 'once') || !use.call) continue
    const event = eventName(use.call.getArguments()[0])
    const statement = use.call.getParent()
    if (event === undefined || !Node.isExpressionStatement(statement)) continue
    if (event === 'connect' || event === 'disconnect' || event === 'connect_error') continue
    const key = `${use.access.getExpression().getText()}@${statement.getParent()?.getStart()}`
    const group = groups.get(key) ?? { listeners: [], last: statement, state: new Map<string, string>() }
    group.listeners.push(use)
    if (statement.getStart() > group.last.getStart()) group.last = statement
    const handler = NOT_DATA.has(event) ? undefined : functionOf(use.call.getArguments()[1])
    if (handler) for (const [state, name] of writtenState(handler)) group.state.set(state, name)
    groups.set(key, group)
  }
  return [...groups.values()]
}

/** The functions of the script that load state the groups' listeners change, in source order. */
export function loadersOf(root: Node, state: ReadonlyMap<string, string>, members: readonly SocketMemberUse[]): Loader[] {
  const onOpen = openTimeCallees(root, members)
  const listeners = members.filter((use) => (use.name === 'on' || use.name === 'once') && use.call).map((use) => use.call!)
  const handlers = new Set(listeners.map((call) => functionOf(call.getArguments()[1])))
  const loaders: Loader[] = []
  for (const fn of functionsIn(root)) {
    const callee = calleeName(fn)
    if (!callee || !fetches(fn) || handlers.has(fn)) continue
    // The function that registers the listeners (a `connect()` that also fetches) is not a reload.
    if (listeners.some((call) => call.getAncestors().includes(fn))) continue
    const replaced = replacedState(fn)
    if (![...replaced.whole, ...replaced.keyed.map((k) => k.state)].some((key) => state.has(key))) continue
    const required = fn.getParameters().filter((p) => !p.isOptional() && !p.hasInitializer() && !p.isRestParameter())
    const keyed = replaced.keyed.find((k) => state.has(k.state) && required.length === 1 && required[0]!.getName() === k.param)
    const entity = !keyed && required.length === 1 ? heldEntityOf(fn, required[0]!, root) : undefined
    loaders.push({
      fn,
      callee,
      ...(keyed ? { keyedBy: { map: keyed.map, param: keyed.param } } : {}),
      ...(entity ? { entity } : {}),
      needsArguments: required.length > 0 && !keyed && !entity,
      quiet: isQuiet(fn),
      runsOnOpen: onOpen.has(callee),
    })
  }
  return loaders
}

/**
 * The state an expression reaches: `messages` for `messages.value.get(id)`, `this.rooms` for
 * `this.rooms[0]`; locals of `within` are followed to what they were taken from (`const room =
 * rooms.value.find(…)`, the `msg` of `list.forEach((msg) => …)`, `for (const m of messages.value)`).
 * Undefined for the event's own data, globals and auto-imports.
 */
function stateKey(node: Node, within: Node, depth = 0): { key: string; name: string } | undefined {
  if (depth > MAX_ALIAS_DEPTH) return undefined
  const expr = unwrapExpression(node)
  if (Node.isPropertyAccessExpression(expr) || Node.isElementAccessExpression(expr)) {
    const object = unwrapExpression(expr.getExpression())
    if (Node.isThisExpression(object) && Node.isPropertyAccessExpression(expr)) return { key: `this.${expr.getName()}`, name: `this.${expr.getName()}` }
    return stateKey(object, within, depth + 1)
  }
  if (Node.isCallExpression(expr)) return stateKey(expr.getExpression(), within, depth + 1)
  if (Node.isBinaryExpression(expr) && ['||', '??'].includes(expr.getOperatorToken().getText())) return stateKey(expr.getLeft(), within, depth + 1)
  if (!Node.isIdentifier(expr)) return undefined
  const decl = localDeclarations(expr)[0]
  if (!decl) return undefined
  if (!decl.getAncestors().includes(within)) {
    return Node.isVariableDeclaration(decl) || Node.isBindingElement(decl) ? { key: `${decl.getStart()}`, name: expr.getText() } : undefined
  }
  if (Node.isVariableDeclaration(decl)) {
    const loop = decl.getParent()?.getParent()
    if (loop && Node.isForOfStatement(loop)) return stateKey(loop.getExpression(), within, depth + 1)
    const init = decl.getInitializer()
    return init ? stateKey(init, within, depth + 1) : undefined
  }
  if (Node.isParameterDeclaration(decl)) {
    // `list.forEach((item) => …)`: the item comes from the list.
    const callback = decl.getParent()
    const call = callback?.getParent()
    if (call && Node.isCallExpression(call) && call.getArguments().includes(callback as Node)) {
      const callee = call.getExpression()
      if (Node.isPropertyAccessExpression(callee)) return stateKey(callee.getExpression(), within, depth + 1)
    }
  }
  return undefined
}

/** What a function changes: assignments, `++`/`--`, `delete` and mutating method calls, by state key. */
function writtenState(fn: Node): Map<string, string> {
  const written = new Map<string, string>()
  const note = (target: Node): void => {
    const state = stateKey(target, fn)
    if (state) written.set(state.key, state.name)
  }
  for (const node of descendantsWhere(fn, () => true)) {
    if (Node.isBinaryExpression(node) && isAssignment(node.getOperatorToken().getKind())) note(node.getLeft())
    else if ((Node.isPrefixUnaryExpression(node) || Node.isPostfixUnaryExpression(node)) && [SyntaxKind.PlusPlusToken, SyntaxKind.MinusMinusToken].includes(node.getOperatorToken())) note(node.getOperand())
    else if (Node.isDeleteExpression(node)) note(node.getExpression())
    else if (Node.isCallExpression(node)) {
      const callee = node.getExpression()
      if (Node.isPropertyAccessExpression(callee) && MUTATORS.has(callee.getName())) note(callee.getExpression())
    }
  }
  return written
}

function isAssignment(kind: SyntaxKind): boolean {
  return kind >= SyntaxKind.FirstAssignment && kind <= SyntaxKind.LastAssignment
}

/**
 * State a function replaces as a whole (`rooms.value = …`, `this.rooms = …`) or entry by entry under
 * one of its parameters (`messages.value.set(roomId, …)`): what loading is, as opposed to adding to it.
 */
function replacedState(fn: FunctionLike): { whole: string[]; keyed: { state: string; map: string; param: string }[] } {
  const whole: string[] = []
  const keyed: { state: string; map: string; param: string }[] = []
  const params = new Set(fn.getParameters().map((p) => p.getName()))
  for (const node of descendantsWhere(fn, () => true)) {
    if (Node.isBinaryExpression(node) && node.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
      const key = directState(node.getLeft(), fn)
      if (key) whole.push(key)
    } else if (Node.isCallExpression(node)) {
      const callee = node.getExpression()
      const first = node.getArguments()[0]
      if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'set' || !first || !Node.isIdentifier(first) || !params.has(first.getText())) continue
      const key = directState(callee.getExpression(), fn)
      if (key) keyed.push({ state: key, map: callee.getExpression().getText(), param: first.getText() })
    }
  }
  return { whole, keyed }
}

/** `rooms`, `rooms.value` or `this.rooms`, declared outside the function: the state itself, not a part of it. */
function directState(target: Node, fn: Node): string | undefined {
  let expr = unwrapExpression(target)
  if (Node.isPropertyAccessExpression(expr) && expr.getName() === 'value' && Node.isIdentifier(unwrapExpression(expr.getExpression()))) expr = unwrapExpression(expr.getExpression())
  if (Node.isPropertyAccessExpression(expr) && Node.isThisExpression(unwrapExpression(expr.getExpression()))) return `this.${expr.getName()}`
  if (!Node.isIdentifier(expr)) return undefined
  return stateKey(expr, fn)?.key
}

/** The function a listener argument is: inline, or a function of the file named there. */
function functionOf(node: Node | undefined): FunctionLike | undefined {
  if (!node) return undefined
  if (Node.isArrowFunction(node) || Node.isFunctionExpression(node)) return node
  if (!Node.isIdentifier(node)) return undefined
  const decl = localDeclarations(node)[0]
  if (decl && Node.isFunctionDeclaration(decl)) return decl
  const init = decl && Node.isVariableDeclaration(decl) ? decl.getInitializer() : undefined
  return init && (Node.isArrowFunction(init) || Node.isFunctionExpression(init)) ? init : undefined
}

const FUNCTION_KINDS: ReadonlySet<SyntaxKind> = new Set([SyntaxKind.FunctionDeclaration, SyntaxKind.MethodDeclaration, SyntaxKind.ArrowFunction, SyntaxKind.FunctionExpression])

/** Named functions of the script: declarations, functions held in a variable, and object methods (`actions`, `methods`). */
function functionsIn(root: Node): FunctionLike[] {
  // Only what can be one of them is wrapped: a wrapper for every node of a long script costs more than the rest.
  return descendantsWhere<Node>(root, (node) => FUNCTION_KINDS.has(node.kind)).filter((node): node is FunctionLike => calleeName(node) !== undefined)
}

/** How the app calls a function: by its name, or `this.<name>` for a method. */
function calleeName(fn: Node): string | undefined {
  if (Node.isFunctionDeclaration(fn)) return fn.getName()
  if (Node.isMethodDeclaration(fn) && Node.isObjectLiteralExpression(fn.getParent())) return `this.${fn.getName()}`
  if (Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) {
    const decl = fn.getParent()
    if (decl && Node.isVariableDeclaration(decl) && Node.isIdentifier(decl.getNameNode())) return decl.getName()
  }
  return undefined
}

/** It waits for something: an `await` or a `.then()` of its own. */
function fetches(fn: FunctionLike): boolean {
  return ownNodes(fn).some((node) => Node.isAwaitExpression(node) || (Node.isCallExpression(node) && isThen(node)))
}

/** Every `await` of the function sits in a `try` whose `catch` does not throw again, and it chains no `.then()`. */
function isQuiet(fn: FunctionLike): boolean {
  const own = ownNodes(fn)
  if (own.some((node) => Node.isCallExpression(node) && isThen(node))) return false
  return own.filter((node) => Node.isAwaitExpression(node)).every((node) => {
    const guard = node.getFirstAncestor((a) => Node.isTryStatement(a) || a === fn)
    if (!guard || !Node.isTryStatement(guard) || !node.getAncestors().includes(guard.getTryBlock())) return false
    const handler = guard.getCatchClause()
    return handler !== undefined && descendantsOfKind(handler, SyntaxKind.ThrowStatement).length === 0
  })
}

function isThen(call: CallExpression): boolean {
  const callee = call.getExpression()
  return Node.isPropertyAccessExpression(callee) && callee.getName() === 'then'
}

/** Nodes of the function's own body, not of functions nested in it. */
function ownNodes(fn: FunctionLike): Node[] {
  const body = fn.getBody()
  if (!body) return []
  const found: Node[] = [body]
  const visit = (node: Node): void => {
    for (const child of node.forEachChildAsArray()) {
      if (Node.isArrowFunction(child) || Node.isFunctionExpression(child) || Node.isFunctionDeclaration(child) || Node.isMethodDeclaration(child)) continue
      found.push(child)
      visit(child)
    }
  }
  visit(body)
  return found
}

/**
 * Functions called by the code that runs whenever the socket (re)connects: the `connect` listener,
 * and `watch(x, …)` of a ref that listener sets to `true`. They already run after every open of the
 * stream, and a reset only ever comes right after one.
 */
function openTimeCallees(root: Node, members: readonly SocketMemberUse[]): Set<string> {
  const bodies: Node[] = []
  const flags = new Set<string>()
  for (const use of members) {
    if (use.name !== 'on' || !use.call || eventName(use.call.getArguments()[0]) !== 'connect') continue
    const handler = functionOf(use.call.getArguments()[1])
    if (!handler) continue
    bodies.push(handler)
    for (const assignment of descendantsOfKind(handler, SyntaxKind.BinaryExpression)) {
      if (assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken || assignment.getRight().getText() !== 'true') continue
      const flag = stateKey(assignment.getLeft(), handler)
      if (flag) flags.add(flag.key)
    }
  }
  for (const call of descendantsOfKind(root, SyntaxKind.CallExpression)) {
    if (call.getExpression().getText() !== 'watch') continue
    const [source, callback] = call.getArguments()
    const watched = source && (Node.isArrowFunction(source) ? source.getBody() : source)
    const flag = watched ? stateKey(watched, call) : undefined
    if (flag && flags.has(flag.key) && callback) bodies.push(callback)
  }
  const callees = new Set<string>()
  for (const body of bodies) {
    for (const call of descendantsOfKind(body, SyntaxKind.CallExpression)) callees.add(call.getExpression().getText())
  }
  return callees
}
