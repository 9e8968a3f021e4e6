// How long a created socket lived: for the whole app, or only as long as the code that created it.
import { Node, SyntaxKind, type CallExpression } from 'ts-morph'
import type { NuxtLayout, ScriptBlock, SourceUnit } from '../../project/types.js'
import { declarationOf } from './syntax.js'
import { unwrapExpression } from '../../ast/expression.js'
import { descendantsOfKind } from '../../ast/walk.js'

/** Calls whose callback holds app-wide state: a Nuxt plugin runs once per app, a Pinia store is one per app. */
const APP_WIDE_FACTORIES = new Set(['defineNuxtPlugin', 'defineStore'])

/**
 * True when the socket an io() call creates was shared by the whole app and lived until
 * `disconnect()`: created in a Nuxt plugin or a Pinia store (setup or option store), held in a
 * module-level variable (the `socket ??= io()` singleton), or created in `app.vue` or a layout and
 * provided to the tree. Such a socket is often first created during some component's setup, which
 * must not end it when that component unmounts. A socket a component or a per-call composable
 * creates for itself is not app-wide.
 */
export function outlivesComponent(layout: NuxtLayout, unit: SourceUnit, block: ScriptBlock, call: CallExpression): boolean {
  if (call.getAncestors().some((a) => Node.isCallExpression(a) && APP_WIDE_FACTORIES.has(a.getExpression().getText()))) return true
  const holder = holderOf(call)
  if (!block.setup && holder && isModuleLevel(holder)) return true
  return isAppShell(layout, unit) && isProvided(call, holder)
}

/** The variable the socket is stored in: `const s = io()`, `s = io()`, `s ??= io()`, `s.value = markRaw(io())`. */
function holderOf(call: CallExpression): Node | undefined {
  let value: Node = call
  for (;;) {
    const parent = value.getParent()
    if (!parent) return undefined
    if (Node.isParenthesizedExpression(parent) || Node.isAsExpression(parent) || Node.isNonNullExpression(parent) || Node.isSatisfiesExpression(parent)) value = parent
    else if (Node.isCallExpression(parent) && parent.getExpression().getText() === 'markRaw') value = parent
    else break
  }
  const parent = value.getParent()
  if (parent && Node.isVariableDeclaration(parent) && parent.getInitializer() === value) return parent
  if (parent && Node.isBinaryExpression(parent) && parent.getRight() === value && /^(\?\?|\|\|)?=$/.test(parent.getOperatorToken().getText())) {
    return rootDeclaration(parent.getLeft())
  }
  return undefined
}

/** `socket` or `socket.value` → the declaration of `socket`. */
function rootDeclaration(target: Node): Node | undefined {
  let node = unwrapExpression(target)
  if (Node.isPropertyAccessExpression(node) && node.getName() === 'value') node = unwrapExpression(node.getExpression())
  return Node.isIdentifier(node) ? declarationOf(node) : undefined
}

/** Declared by a statement of the file itself, not inside a function. */
function isModuleLevel(declaration: Node): boolean {
  if (!Node.isVariableDeclaration(declaration)) return false
  return Node.isSourceFile(declaration.getVariableStatement()?.getParent())
}

/** `app.vue` and the layouts: the components that wrap every page. */
function isAppShell(layout: NuxtLayout, unit: SourceUnit): boolean {
  if (!unit.absPath.startsWith(`${layout.srcDir}/`)) return false
  const inApp = unit.absPath.slice(layout.srcDir.length + 1)
  return inApp === 'app.vue' || inApp.startsWith('layouts/')
}

/** `provide(key, io())`, or `provide(key, socket)` / `provide(key, { socket })` with the variable holding it. */
function isProvided(call: CallExpression, holder: Node | undefined): boolean {
  const provides = descendantsOfKind(call.getSourceFile(), SyntaxKind.CallExpression).filter((c) => c.getExpression().getText() === 'provide')
  return provides.some((provide) =>
    provide.getArguments().slice(1).some((arg) => {
      if (arg === call || call.getAncestors().includes(arg)) return true
      const ids = Node.isIdentifier(arg) ? [arg] : descendantsOfKind(arg, SyntaxKind.Identifier)
      return holder !== undefined && ids.some((id) => declarationOf(id) === holder)
    }),
  )
}
