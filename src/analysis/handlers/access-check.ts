import { Node, SyntaxKind } from 'ts-morph'
import { declarationsOf } from '../symbols.js'

/**
 * The handler checked the caller's access to the rooms before joining them: the join runs only when
 * a condition holds that calls something with the room's own value (`verifyRoomAccess(user.id,
 * data.roomId)` before joining `room:${data.roomId}`), either around it (`if (ok) socket.join(…)`)
 * or as an earlier guard that leaves the handler (`if (!ok) { …; return }`).
 */
export function accessCheckedBefore(join: Node, rooms: readonly Node[], fn: Node): boolean {
  const values = new Set(rooms.flatMap(roomValues))
  if (values.size === 0) return false
  const checks = (condition: Node) => callsWithAny(condition, values, 0)
  for (let node: Node = join; node !== fn; ) {
    const parent = node.getParent()
    if (!parent) return false
    if (Node.isIfStatement(parent) && parent.getThenStatement() === node && checks(parent.getExpression())) return true
    if (Node.isBlock(parent)) {
      const statements = parent.getStatements()
      const earlier = statements.slice(0, statements.indexOf(node as never))
      if (earlier.some((statement) => Node.isIfStatement(statement) && leaves(statement.getThenStatement()) && checks(statement.getExpression()))) return true
    }
    node = parent
  }
  return false
}

/** `data.roomId`, `roomId`: the values a room name is built from, as source text. */
function roomValues(room: Node): string[] {
  const outermost = (node: Node) => !Node.isPropertyAccessExpression(node.getParent())
  return [room, ...room.getDescendants()]
    .filter((node) => (Node.isIdentifier(node) || Node.isPropertyAccessExpression(node)) && outermost(node))
    .map((node) => node.getText())
}

/** A call in the condition, or in the initializer of a `const` it reads, passes one of the values. */
function callsWithAny(condition: Node, values: ReadonlySet<string>, depth: number): boolean {
  for (const node of [condition, ...condition.getDescendants()]) {
    if (Node.isCallExpression(node) && node.getArguments().some((arg) => values.has(arg.getText()))) return true
    if (depth > 0 || !Node.isIdentifier(node)) continue
    for (const declaration of declarationsOf(node)) {
      const init = Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined
      if (init && callsWithAny(init, values, depth + 1)) return true
    }
  }
  return false
}

/** The branch always leaves the handler: it ends in `return` or `throw`. */
function leaves(branch: Node): boolean {
  const last = Node.isBlock(branch) ? branch.getStatements().at(-1) : branch
  return last !== undefined && (last.getKind() === SyntaxKind.ReturnStatement || last.getKind() === SyntaxKind.ThrowStatement)
}
