import { Node } from 'ts-morph'
import type { Blocker, HandlerFunction, SocketUse } from './types.js'
import { isAckGuard } from './socket-uses.js'
import { unwrapExpression } from '../../ast/expression.js'

/** The statement a call is the whole expression of (`socket.emit(...)`, `await socket.join(...)`, `ack?.(x)`). */
export function ownStatement(call: Node): Node | undefined {
  let n: Node = call
  while (Node.isAwaitExpression(n.getParent()) || Node.isParenthesizedExpression(n.getParent())) n = n.getParent()!
  const parent = n.getParent()
  if (Node.isExpressionStatement(parent)) return parent
  // `(x) => socket.emit('y', x)`: the arrow's expression body stands for a one-statement block.
  if (Node.isArrowFunction(parent) && parent.getBody() === n) return n
  if (Node.isBinaryExpression(parent) && parent.getRight() === n && Node.isExpressionStatement(parent.getParent()) && isAckGuard(parent.getLeft())) {
    return parent.getParent()
  }
  return undefined
}

/**
 * True when some statement of the handler would still run after `statement` (so turning it into a `return`
 * changes what the handler does). A bare `return`, or another ack (`isAck`, unreachable once this one returns),
 * right after it ends the path; loops count as running on.
 */
export function codeRunsAfter(statement: Node, fn: Node, isAck: (node: Node) => boolean): boolean {
  for (let node: Node = statement; node !== fn; ) {
    const parent = node.getParent()
    if (!parent) return false
    if (Node.isBlock(parent)) {
      const following = parent.getStatements().slice(parent.getStatements().indexOf(node as never) + 1).filter((n) => !isAck(n))
      const [next] = following
      if (next) return !(Node.isReturnStatement(next) && !next.getExpression())
    }
    if (Node.isIterationStatement(parent)) return true
    if (parent === fn) return false
    node = parent
  }
  return false
}


/**
 * The statement an ack call stands for, which becomes `return value`: `ack(x)`, `ack?.(x)`, `ack && ack(x)`,
 * `if (ack) ack(x)` (the whole `if`), or `return ack(x)`. Undefined inside other expressions.
 */
export function ackStatement(call: Node): Node | undefined {
  const statement = ownStatement(call)
  const parent = statement?.getParent()
  const guarded = Node.isIfStatement(parent) && parent.getThenStatement() === statement && !parent.getElseStatement()
    && Node.isIdentifier(unwrapExpression(parent.getExpression()))
  if (guarded) return parent
  if (statement) return statement
  return Node.isReturnStatement(call.getParent()) ? call.getParent() : undefined
}

/**
 * What keeps a handler's code from becoming a route body, judged from its syntax alone: replies that are not
 * statements, an ack with more code after it, and handshake values a later HTTP request does not carry.
 */
export function routeBlockers(uses: SocketUse[], fn: HandlerFunction): Blocker[] {
  const blockers: Blocker[] = []
  const isAck = (node: Node) => uses.some((u) => u.kind === 'ack' && ownStatement(u.node) === node)
  for (const use of uses) {
    if (use.kind === 'emit-self' && !ownStatement(use.node)) {
      blockers.push({ node: use.node, reason: 'uses `socket.emit` inside an expression; only a statement can become an emit to the caller\'s connection' })
    } else if (use.kind === 'emit-error' && !ownStatement(use.node) && !Node.isReturnStatement(use.node.getParent())) {
      blockers.push({ node: use.node, reason: 'emits an `error` event inside an expression, where no HTTP error can replace it' })
    } else if (use.kind === 'ack') {
      const statement = ackStatement(use.node)
      if (!statement) blockers.push({ node: use.node, reason: 'calls the acknowledgement inside an expression; only a statement can become the response' })
      else if (!Node.isReturnStatement(statement) && codeRunsAfter(statement, fn, isAck)) {
        blockers.push({ node: use.node, reason: 'more of the handler runs after this acknowledgement, and a `return` in its place would skip it' })
      }
    } else if (use.kind === 'handshake' && use.read.kind !== 'header' && use.read.kind !== 'context') {
      blockers.push({ node: use.node, reason: `reads \`${use.node.getText()}\` from the handshake, which a later request does not carry` })
    }
  }
  return blockers
}
