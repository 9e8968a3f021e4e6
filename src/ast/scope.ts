import { ts, type Identifier, type Node } from 'ts-morph'
import { identifierNames, walkCompiler, wrap } from './walk.js'

/*
 * Name resolution inside one file, from the binder's scope tables. ts-morph's `getSymbol()` asks
 * the type checker, which rebuilds the whole program after any edit to any file; transforms ask
 * about the file they just edited, so every question cost a program rebuild. Binding one file is
 * cheap and needs no program. Globals, auto-imports and names from other files resolve to nothing.
 */

interface Bound {
  locals?: ts.SymbolTable
}

interface BinderInternals {
  bindSourceFile(file: ts.SourceFile, options: ts.CompilerOptions): void
}

const binder = ts as unknown as BinderInternals

function bind(file: ts.SourceFile): void {
  // The binder skips a file that is already bound (by the checker or an earlier call).
  if (!(file as Bound).locals) binder.bindSourceFile(file, {})
}

/** Identifier positions that name a member or label rather than refer to a binding in scope. */
function isReferencePosition(id: ts.Identifier): boolean {
  const parent = id.parent
  if (!parent) return false
  if (ts.isPropertyAccessExpression(parent)) return parent.name !== id
  if (ts.isQualifiedName(parent)) return parent.right !== id
  if (ts.isImportSpecifier(parent) || ts.isBindingElement(parent)) {
    if (parent.propertyName === id) return false
  }
  if (ts.isExportSpecifier(parent)) {
    // `export { local as exported }`: the local name is the reference; a re-export (`from`) refers to nothing here.
    if (parent.parent.parent.moduleSpecifier) return false
    return (parent.propertyName ?? parent.name) === id
  }
  if (
    (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) ||
      ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent) || ts.isGetAccessorDeclaration(parent) ||
      ts.isSetAccessorDeclaration(parent) || ts.isEnumMember(parent) || ts.isJsxAttribute(parent)) &&
    parent.name === id
  ) return false
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return parent.label !== id
  if (ts.isMetaProperty(parent)) return false
  return true
}

/** The symbol a name written at `id` refers to in its own file, or undefined (global, auto-import, member name). */
function resolveInFile(id: ts.Identifier, file: ts.SourceFile): ts.Symbol | undefined {
  if (!isReferencePosition(id)) return undefined
  bind(file)
  for (let scope: ts.Node | undefined = id.parent; scope; scope = scope.parent) {
    const symbol = (scope as Bound).locals?.get(id.escapedText)
    if (symbol) return symbol
    // `function io() { io }`: a function or class expression's own name is in scope only inside it.
    if ((ts.isFunctionExpression(scope) || ts.isClassExpression(scope)) && scope.name?.escapedText === id.escapedText) {
      return (scope as ts.Node & { symbol?: ts.Symbol }).symbol
    }
  }
  return undefined
}

/** The declarations in this file that `id` refers to; empty when it refers to nothing declared here. */
export function localDeclarations(id: Identifier): Node[] {
  const symbol = resolveInFile(id.compilerNode, id.getSourceFile().compilerNode)
  return (symbol?.declarations ?? []).map((declaration) => wrap(id, declaration))
}

/**
 * Identifiers of the file that refer to the binding `nameNode` declares (its own name excluded):
 * what `getSymbol()` equality gave, without the type checker.
 */
export function referencesInFile(nameNode: Identifier): Identifier[] {
  const file = nameNode.getSourceFile().compilerNode
  const target = resolveInFile(nameNode.compilerNode, file) ?? declaredSymbol(nameNode.compilerNode)
  if (!target) return []
  const name = nameNode.compilerNode.text
  const found: Identifier[] = []
  walkCompiler(file, (node) => {
    if (ts.isIdentifier(node) && node !== nameNode.compilerNode && node.text === name && resolveInFile(node, file) === target) {
      found.push(wrap<Identifier>(nameNode, node))
    }
  })
  return found
}

/** The binder's symbol of a declaration's name (the local one for an export), for names `resolveInFile` skips. */
function declaredSymbol(name: ts.Identifier): ts.Symbol | undefined {
  const declaration = name.parent as ts.Node & { symbol?: ts.Symbol; localSymbol?: ts.Symbol }
  return declaration.localSymbol ?? declaration.symbol
}

/**
 * The spellings of the identifiers below `root` that name a binding: a property's or label's own
 * name (`token` in `{ token: 1 }`, `a.token`, `{ token: string }`) is left out, since a variable of
 * that name would neither shadow it nor be shadowed by it. A shorthand `{ token }` reads a binding
 * and counts.
 */
export function bindingNames(root: Node): Set<string> {
  return identifierNames(root, isReferencePosition)
}

/** True when `id` names something declared in its own file. */
export function isDeclaredInFile(id: Identifier): boolean {
  return resolveInFile(id.compilerNode, id.getSourceFile().compilerNode) !== undefined
}
