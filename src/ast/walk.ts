import { ts, type Identifier, type KindToNodeMappings, type Node, type SyntaxKind } from 'ts-morph'

/*
 * Walks over the parse tree (`ts.forEachChild`) instead of ts-morph's `getDescendants*()`: for
 * identifiers and tokens those build every node's full child list (tokens, syntax lists, comments)
 * and a wrapper per node, which was most of the analysis' time on a large repo. Only the nodes a
 * caller asks for are wrapped. JSDoc is not visited: a name in a comment is not a use of it.
 */

interface Wrapping {
  _getNodeFromCompilerNode(compilerNode: ts.Node): Node
}

/** The ts-morph wrapper of a compiler node of the same file (the one ts-morph caches, not a copy). */
export function wrap<T extends Node = Node>(inside: Node, compilerNode: ts.Node): T {
  return (inside as unknown as Wrapping)._getNodeFromCompilerNode(compilerNode) as T
}

/** Calls `visit` for every node below `root` in source order; returning true skips that node's children. */
export function walkCompiler(root: ts.Node, visit: (node: ts.Node) => boolean | void): void {
  const step = (node: ts.Node): void => {
    if (visit(node) === true) return
    ts.forEachChild(node, step)
  }
  ts.forEachChild(root, step)
}

/** Descendants of `root` (not `root` itself) the predicate accepts, wrapped, in source order. */
export function descendantsWhere<T extends Node = Node>(root: Node, accept: (node: ts.Node) => boolean): T[] {
  const found: T[] = []
  walkCompiler(root.compilerNode, (node) => {
    if (accept(node)) found.push(wrap<T>(root, node))
  })
  return found
}

/** `getDescendantsOfKind` over the parse tree. */
export function descendantsOfKind<K extends SyntaxKind>(root: Node, kind: K): KindToNodeMappings[K][] {
  return descendantsWhere<KindToNodeMappings[K]>(root, (node) => node.kind === kind)
}

/** Every parse-tree node below `root` (no tokens), wrapped. */
export function descendants(root: Node): Node[] {
  return descendantsWhere(root, () => true)
}

/** Identifiers below `root`, optionally only those spelled `name`. */
export function identifiers(root: Node, name?: string): Identifier[] {
  return descendantsWhere<Identifier>(root, (node) => ts.isIdentifier(node) && (name === undefined || node.text === name))
}

/** The spellings of every identifier below `root` (and `root` itself when it is one) that `keep` accepts, without wrapping anything. */
export function identifierNames(root: Node, keep: (id: ts.Identifier) => boolean = () => true): Set<string> {
  const names = new Set<string>()
  if (ts.isIdentifier(root.compilerNode) && keep(root.compilerNode)) names.add(root.compilerNode.text)
  walkCompiler(root.compilerNode, (node) => {
    if (ts.isIdentifier(node) && keep(node)) names.add(node.text)
  })
  return names
}

/** True when an identifier spelled `name` appears below `root`. */
export function mentionsIdentifier(root: Node, name: string): boolean {
  let found = false
  walkCompiler(root.compilerNode, (node) => {
    if (found) return true
    if (ts.isIdentifier(node) && node.text === name) found = true
    return found
  })
  return found
}
