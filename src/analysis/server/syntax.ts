import { Node, SyntaxKind, type ReturnStatement } from 'ts-morph'
import { unwrapExpression } from '../../ast/expression.js'
import { declarationsOf as symbolDeclarations } from '../symbols.js'

/** The nearest ancestor that is not a value-preserving wrapper (see `unwrapExpression`), and the wrapped child it holds. */
export function parentThroughWrappers(node: Node): { parent: Node | undefined; child: Node } {
  let child = node
  let parent = node.getParent()
  while (
    parent &&
    (Node.isParenthesizedExpression(parent) ||
      Node.isAsExpression(parent) ||
      Node.isTypeAssertion(parent) ||
      Node.isNonNullExpression(parent) ||
      Node.isSatisfiesExpression(parent))
  ) {
    child = parent
    parent = parent.getParent()
  }
  return { parent, child }
}

/** The callee name of `name(...)`, when the callee is a plain identifier. */
export function calleeName(node: Node): string | undefined {
  if (!Node.isCallExpression(node)) return undefined
  const callee = unwrapExpression(node.getExpression())
  return Node.isIdentifier(callee) ? callee.getText() : undefined
}

/**
 * True when the identifier names a Nitro/Nuxt auto-import (`useNitroApp`, `defineNitroPlugin`, ...):
 * either it has no local declaration (auto-imported) or it is imported from a Nuxt/Nitro module.
 */
export function isFrameworkGlobal(identifier: Node, name: string): boolean {
  if (!Node.isIdentifier(identifier) || identifier.getText() !== name) return false
  const declarations = symbolDeclarations(identifier)
  if (declarations.length === 0) return true
  return declarations.every((declaration) => {
    const importDeclaration = declaration.getFirstAncestorByKind(SyntaxKind.ImportDeclaration)
    if (!importDeclaration) return false
    const specifier = importDeclaration.getModuleSpecifierValue()
    return /^(#imports|#internal\/nitro|nitropack|nitropack\/runtime|nitro\/runtime|h3|nuxt\/app|#app)$/.test(specifier)
  })
}

/** `useNitroApp()` */
export function isUseNitroAppCall(node: Node): boolean {
  const target = unwrapExpression(node)
  return Node.isCallExpression(target) && isFrameworkGlobal(unwrapExpression(target.getExpression()), 'useNitroApp')
}

/** `globalThis` or Node's `global`, when not shadowed by a local declaration. */
export function isGlobalObject(node: Node): boolean {
  const target = unwrapExpression(node)
  if (!Node.isIdentifier(target)) return false
  const name = target.getText()
  if (name !== 'globalThis' && name !== 'global') return false
  const declarations = symbolDeclarations(target)
  // `declare module global { let io: Server }` (an old way to type globals) names the global object too.
  return declarations.every((declaration) => declaration.getSourceFile().isDeclarationFile() || isAmbientGlobalModule(declaration))
}

function isAmbientGlobalModule(declaration: Node): boolean {
  return Node.isModuleDeclaration(declaration) && declaration.getName() === 'global' && declaration.hasDeclareKeyword()
}

/** The static name of `a.b` or `a['b']`. */
export function memberName(node: Node): string | undefined {
  if (Node.isPropertyAccessExpression(node)) return node.getName()
  if (Node.isElementAccessExpression(node)) {
    const argument = node.getArgumentExpression()
    if (argument && (Node.isStringLiteral(argument) || Node.isNoSubstitutionTemplateLiteral(argument))) return argument.getLiteralValue()
  }
  return undefined
}

/** The object of `a.b` / `a['b']`. */
export function memberObject(node: Node): Node | undefined {
  if (Node.isPropertyAccessExpression(node) || Node.isElementAccessExpression(node)) return node.getExpression()
  return undefined
}

/** First line of a node's text, trimmed, for messages. */
export function firstLineOfNode(node: Node): string {
  const line = node.getText().split('\n')[0] ?? ''
  return line.trim().slice(0, 120)
}

/** `x` of `a.x` or `{ x: … }`: the name of a property, not a reference to a binding. */
export function isPropertyName(node: Node): boolean {
  const parent = node.getParent()
  return (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === node) || (Node.isPropertyAssignment(parent) && parent.getNameNode() === node)
}

/** The return statements of a function, not those of the functions nested in it. */
export function ownReturnStatements(fn: Node): ReturnStatement[] {
  return fn
    .getDescendantsOfKind(SyntaxKind.ReturnStatement)
    .filter((statement) => statement.getFirstAncestor((node) => Node.isFunctionLikeDeclaration(node) || Node.isArrowFunction(node) || Node.isFunctionExpression(node)) === fn)
}
