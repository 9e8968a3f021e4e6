// Syntax helpers of the client analysis: declarations, Vue/Nuxt/Pinia shapes.
import { Node, type CallExpression } from 'ts-morph'
import { unwrapExpression } from '../../ast/expression.js'
import type { SocketKind } from './types.js'
import { localDeclarations } from '../../ast/scope.js'

/** socket.io-client's own events: the stream's signals replace their listeners one for one. */
export const LIFECYCLE_EVENTS: ReadonlySet<string> = new Set(['connect', 'disconnect', 'connect_error'])

/** Calls that define an object whose methods' `this` holds state (Pinia option stores, Options API). */
const CONTAINER_FACTORIES = new Set(['defineStore', 'defineComponent', 'defineNuxtComponent'])

/** The declaration an identifier refers to (variable, binding element, parameter), in its own file. */
export function declarationOf(id: Node): Node | undefined {
  if (!Node.isIdentifier(id)) return undefined
  const decl = localDeclarations(id)[0]
  if (!decl) return undefined
  if (Node.isVariableDeclaration(decl) || Node.isBindingElement(decl) || Node.isParameterDeclaration(decl)) return decl
  return undefined
}

/** `Ref<Socket | null>` declares a ref; `Socket | null` a plain holder. */
export function typeKind(typeNode: Node | undefined): SocketKind {
  if (typeNode && /^(Shallow)?Ref\s*</.test(typeNode.getText())) return 'ref'
  return 'socket'
}

/** `useNuxtApp()`, a variable initialised with it, `nuxtApp` (the plugin parameter), or `this` (Options API). */
export function isNuxtAppExpression(node: Node): boolean {
  const expr = unwrapExpression(node)
  if (Node.isThisExpression(expr)) return true
  if (Node.isCallExpression(expr)) return expr.getExpression().getText() === 'useNuxtApp'
  if (Node.isIdentifier(expr)) {
    const decl = declarationOf(expr)
    if (decl && Node.isVariableDeclaration(decl)) {
      const init = decl.getInitializer()
      return init !== undefined && Node.isCallExpression(unwrapExpression(init)) && isNuxtAppExpression(init)
    }
    if (decl && Node.isParameterDeclaration(decl)) {
      const fn = decl.getParent()
      return Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) ? isNuxtPluginSetup(fn) : false
    }
  }
  return false
}

/** The object whose methods' `this` carries the state: a class, or the options of a store / component. */
export function containerOf(node: Node): Node | undefined {
  for (const ancestor of node.getAncestors()) {
    if (Node.isClassDeclaration(ancestor) || Node.isClassExpression(ancestor)) return ancestor
    if (!Node.isObjectLiteralExpression(ancestor)) continue
    const parent = ancestor.getParent()
    if (Node.isExportAssignment(parent)) return ancestor
    if (Node.isCallExpression(parent) && CONTAINER_FACTORIES.has(parent.getExpression().getText())) return ancestor
  }
  return undefined
}

/** True when a container's state is made deeply reactive by Vue (store state, component data). */
export function isReactiveContainer(container: Node): boolean {
  return Node.isObjectLiteralExpression(container)
}

export function stringValue(node: Node | undefined): string | undefined {
  if (!node) return undefined
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralValue()
  return undefined
}

export function functionName(fn: Node): string | undefined {
  if (Node.isFunctionDeclaration(fn)) return fn.getName()
  const parent = fn.getParent()
  if (parent && Node.isVariableDeclaration(parent)) return parent.getName()
  return undefined
}

/** `export const useChatStore = defineStore('chat', () => {...})`: the setup function's store name. */
export function storeNameOfSetup(fn: Node): string | undefined {
  const call = fn.getParent()
  if (!call || !Node.isCallExpression(call) || call.getExpression().getText() !== 'defineStore') return undefined
  const decl = call.getParent()
  return decl && Node.isVariableDeclaration(decl) ? decl.getName() : undefined
}

/** `export const useChatStore = defineStore('chat', { state, actions })`: the option store's name. */
export function optionStoreName(call: CallExpression): string | undefined {
  if (call.getExpression().getText() !== 'defineStore') return undefined
  const decl = call.getParent()
  return decl && Node.isVariableDeclaration(decl) ? decl.getName() : undefined
}

export function isNuxtPluginSetup(fn: Node): boolean {
  const call = fn.getParent()
  if (!call || !Node.isCallExpression(call)) return false
  return call.getExpression().getText() === 'defineNuxtPlugin' && call.getArguments()[0] === fn
}
