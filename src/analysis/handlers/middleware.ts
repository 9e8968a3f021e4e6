import { Node, SyntaxKind, type CallExpression, type Expression, type ParameterDeclaration } from 'ts-morph'
import type { AnalysisContext } from '../context.js'
import type { ServerModel } from '../server/types.js'
import type { AuthMiddleware, DataAssignment, HandshakeRead, NextCall } from './types.js'
import { inlineFunction } from './connection.js'
import { referencedDeclaration } from './scope.js'
import { isDeclarationName, scanSocketUses } from './socket-uses.js'

/** `socket.data.k = v` / `socket.k = v` as a statement of its own → key and value. */
function dataAssignment(node: Node, socket: ParameterDeclaration): DataAssignment | undefined {
  if (!Node.isExpressionStatement(node)) return undefined
  const expr = node.getExpression()
  if (!Node.isBinaryExpression(expr) || expr.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) return undefined
  const target = expr.getLeft()
  if (!Node.isPropertyAccessExpression(target)) return undefined
  const owner = target.getExpression()
  const isSocket = (n: Node) => Node.isIdentifier(n) && referencedDeclaration(n) === socket
  const viaData = Node.isPropertyAccessExpression(owner) && owner.getName() === 'data' && isSocket(owner.getExpression())
  if (!viaData && !isSocket(owner)) return undefined
  return { node, key: target.getName(), value: expr.getRight(), onData: viaData }
}

/** `next()` / `next(new Error('message'))`. */
function nextCall(call: CallExpression): NextCall {
  const [arg] = call.getArguments()
  if (!arg) return { node: call }
  if (Node.isNewExpression(arg) && arg.getExpression().getText() === 'Error') {
    return { node: call, refusal: { message: arg.getArguments()[0] as Expression | undefined } }
  }
  return { node: call, refusal: { message: undefined } }
}

export function analyseMiddleware(ctx: AnalysisContext, server: ServerModel, call: CallExpression): AuthMiddleware | undefined {
  const file = ctx.repo.relative(call.getSourceFile().getFilePath())
  const fn = inlineFunction(call.getArguments()[0])
  const [socket, next] = fn?.getParameters() ?? []
  if (!fn || !socket || !next || !Node.isIdentifier(socket.getNameNode()) || !Node.isIdentifier(next.getNameNode())) {
    ctx.report(call, {
      kind: 'auth/middleware-not-inline',
      reason: 'the `io.use` middleware is not an inline `(socket, next) => {...}` function',
      action: 'write `authenticateSSE` in server/utils/sse-hooks.ts by hand with the same checks',
    })
    return undefined
  }
  const assignments: DataAssignment[] = []
  const nextCalls: NextCall[] = []
  const blockers: AuthMiddleware['blockers'] = []
  fn.forEachDescendant((node) => {
    const assignment = dataAssignment(node, socket)
    if (assignment) assignments.push(assignment)
    if (Node.isIdentifier(node) && referencedDeclaration(node) === next && !isDeclarationName(node, next)) {
      const parent = node.getParent()
      if (Node.isCallExpression(parent) && parent.getExpression() === node) nextCalls.push(nextCall(parent))
      else blockers.push({ node: parent ?? node, reason: 'passes `next` on; only direct `next()` calls can become a return or a 401' })
    }
  })
  const augmentedKeys = assignments.filter((a) => !a.onData).map((a) => a.key)
  const scan = scanSocketUses(fn, {
    socket,
    aliases: new Map(),
    augmentedKeys: new Set(augmentedKeys),
    own: fn,
    isIo: (node) => server.isIoExpression(node),
  })
  const assigned = (node: Node) => assignments.some((a) => a.node.getPos() <= node.getPos() && node.getEnd() <= a.node.getEnd() && a.value.getPos() > node.getPos())
  const reads: HandshakeRead[] = []
  for (const use of scan.uses) {
    if (use.kind === 'handshake') reads.push(use.read)
    else if (use.kind !== 'data' || !assigned(use.node)) {
      blockers.push({ node: use.node, reason: `uses \`${use.node.getText()}\` in the auth middleware, which has no HTTP equivalent` })
    }
  }
  return {
    file,
    call,
    fn,
    reads,
    assignments,
    nextCalls,
    dataKeys: [...new Set(assignments.map((a) => a.key))],
    augmentedKeys,
    blockers: [...blockers, ...scan.blockers],
  }
}
