import { Node, SyntaxKind, type CallExpression, type Statement } from 'ts-morph'
import type { ScriptBlock, SourceUnit } from '../../project/types.js'
import type { SocketResolver } from './resolve.js'
import { isNuxtPluginSetup, LIFECYCLE_EVENTS, stringValue } from './syntax.js'
import { unwrapExpression } from '../../ast/expression.js'
import type { SocketPlugin } from './types.js'
import { descendantsOfKind } from '../../ast/walk.js'
import { eventName } from '../event-name.js'

/** Nuxt plugins (`defineNuxtPlugin(() => { const socket = io(); return { provide: { socket } } })`) that provide a socket. */
export function findSocketPlugins(resolver: SocketResolver, blocks: { unit: SourceUnit; block: ScriptBlock }[]): SocketPlugin[] {
  const plugins: SocketPlugin[] = []
  for (const { unit, block } of blocks) {
    for (const call of descendantsOfKind(block.sourceFile, SyntaxKind.CallExpression)) {
      const setup = call.getArguments()[0]
      if (!setup || !(Node.isArrowFunction(setup) || Node.isFunctionExpression(setup)) || !isNuxtPluginSetup(setup)) continue
      const creations = descendantsOfKind(setup, SyntaxKind.CallExpression).filter((c) => resolver.isFactoryCall(c))
      const key = providedKey(resolver, setup)
      const creation = creations[0]
      if (!creation || creations.length > 1 || key === undefined) continue
      const body = setup.getBody()
      const statements = Node.isBlock(body) ? body.getStatements() : []
      plugins.push({ unit, block, key, creation, onlyCreatesSocket: statements.every((s) => onlyServesTheSocket(resolver, s)) })
    }
  }
  return plugins
}

function providedKey(resolver: SocketResolver, setup: Node): string | undefined {
  for (const [key] of resolver.provided) {
    const returned = descendantsOfKind(setup, SyntaxKind.PropertyAssignment).some((p) => p.getName() === 'provide' && new RegExp(`\\b${key}\\b`).test(p.getInitializer()?.getText() ?? ''))
    const called = descendantsOfKind(setup, SyntaxKind.CallExpression).some((c) => isProvideCall(c) && stringValue(c.getArguments()[0]) === key)
    if (returned || called) return key
  }
  return undefined
}

function isProvideCall(call: CallExpression): boolean {
  const callee = call.getExpression()
  return Node.isPropertyAccessExpression(callee) && callee.getName() === 'provide'
}

/**
 * Statements a socket-only plugin is made of: reading config and credentials, creating the socket,
 * logging its lifecycle, providing it. Anything else is app logic the plugin must keep.
 */
function onlyServesTheSocket(resolver: SocketResolver, statement: Statement): boolean {
  if (Node.isVariableStatement(statement)) {
    return statement.getDeclarations().every((decl) => {
      const init = decl.getInitializer()
      return init !== undefined && callsAreHarmless(resolver, init)
    })
  }
  if (Node.isReturnStatement(statement)) {
    const value = statement.getExpression()
    return value === undefined || callsAreHarmless(resolver, value)
  }
  if (!Node.isExpressionStatement(statement)) return false
  const expr = unwrapExpression(statement.getExpression())
  if (!Node.isCallExpression(expr)) return false
  if (isProvideCall(expr)) return true
  const callee = expr.getExpression()
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'on') return false
  if (resolver.kindOf(callee.getExpression()) !== 'socket') return false
  const [event, handler] = expr.getArguments()
  const name = eventName(event)
  if (name === undefined || !LIFECYCLE_EVENTS.has(name) || !handler) return false
  return descendantsOfKind(handler, SyntaxKind.CallExpression).every((c) => c.getExpression().getText().startsWith('console.'))
}

/** Only the socket factory, composables (`useRuntimeConfig()`, `useCookie()`) and storage reads. */
function callsAreHarmless(resolver: SocketResolver, node: Node): boolean {
  const calls = Node.isCallExpression(node) ? [node, ...descendantsOfKind(node, SyntaxKind.CallExpression)] : descendantsOfKind(node, SyntaxKind.CallExpression)
  return calls.every((call) => {
    if (resolver.isFactoryCall(call)) return true
    const callee = call.getExpression().getText()
    return /^use[A-Z]\w*$/.test(callee) || /^(localStorage|sessionStorage)\.getItem$/.test(callee)
  })
}
