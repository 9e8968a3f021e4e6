import { Node, SyntaxKind, type Identifier } from 'ts-morph'
import { localDeclarations } from '../../ast/scope.js'
import { identifiers } from '../../ast/walk.js'

/** Declaration kinds a body can depend on (variables, functions, classes, types, imports). */
const DECLARATION_KINDS = new Set([
  SyntaxKind.VariableDeclaration,
  SyntaxKind.Parameter,
  SyntaxKind.BindingElement,
  SyntaxKind.FunctionDeclaration,
  SyntaxKind.ClassDeclaration,
  SyntaxKind.InterfaceDeclaration,
  SyntaxKind.TypeAliasDeclaration,
  SyntaxKind.EnumDeclaration,
  SyntaxKind.ImportSpecifier,
  SyntaxKind.ImportClause,
  SyntaxKind.NamespaceImport,
  SyntaxKind.ImportEqualsDeclaration,
])

/**
 * The declaration an identifier refers to, when it is a variable, function, class, type or import of
 * its own file (`{ shorthand }` properties refer to the variable).
 */
export function referencedDeclaration(id: Identifier): Node | undefined {
  const decl = localDeclarations(id)[0]
  if (!decl || !DECLARATION_KINDS.has(decl.getKind())) return undefined
  return decl
}

/** True when `node` lies inside `container` (or is it). */
export function isWithin(node: Node, container: Node): boolean {
  return node.getSourceFile() === container.getSourceFile() && node.getPos() >= container.getPos() && node.getEnd() <= container.getEnd()
}

/** True when the declaration is not inside any function: a top-level statement of its file or an import. */
export function isModuleLevel(decl: Node): boolean {
  for (let n = decl.getParent(); n; n = n.getParent()) {
    if (Node.isFunctionLikeDeclaration(n) || Node.isArrowFunction(n) || Node.isFunctionExpression(n)) return false
  }
  return true
}

/**
 * A helper declared inside a function (the plugin, the connection handler) that uses nothing of the
 * scopes around it, only its own names, the file's top level and what the file does not declare:
 * it can move to a module of its own as it is. `function f() {}` or `const f = () => {}`.
 */
export function isHoistable(decl: Node): boolean {
  if (isModuleLevel(decl)) return false
  let holder: Node
  if (Node.isFunctionDeclaration(decl)) holder = decl
  else if (Node.isVariableDeclaration(decl)) {
    const init = decl.getInitializer()
    const statement = decl.getVariableStatement()
    if (!init || !(Node.isArrowFunction(init) || Node.isFunctionExpression(init)) || !statement || statement.getDeclarations().length !== 1 || !Node.isIdentifier(decl.getNameNode())) return false
    holder = statement
  } else return false
  if (holder.getFirstDescendantByKind(SyntaxKind.ThisKeyword)) return false
  return identifiers(holder).every((id) => {
    const used = referencedDeclaration(id)
    return !used || used.getSourceFile() !== holder.getSourceFile() || isWithin(used, holder) || isModuleLevel(used)
  })
}

/**
 * Identifiers in `root` that refer to top-level declarations of its own file (imports, helpers, types). Computed
 * on the current syntax tree, so it also sees code that earlier transforms rewrote inside `root`.
 */
export function moduleReferences(root: Node): Identifier[] {
  return identifiers(root).filter((node) => {
    const decl = referencedDeclaration(node)
    return decl !== undefined && decl.getSourceFile() === root.getSourceFile() && !isWithin(decl, root) && (isModuleLevel(decl) || isHoistable(decl))
  })
}
