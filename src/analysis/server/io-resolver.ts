import { Node, SyntaxKind, ts, type SourceFile } from 'ts-morph'
import type { Repo } from '../../project/types.js'
import { declarationsOf, importSourceOf, resolveModule } from './imports.js'
import { isFrameworkGlobal, isGlobalObject, isUseNitroAppCall, memberName, memberObject } from './syntax.js'
import { unwrapExpression } from '../../ast/expression.js'
import type { IoAccessKind } from './types.js'
import { descendantsWhere } from '../../ast/walk.js'
import { declarationsOf as symbolDeclarations } from '../symbols.js'

/** Upper bound of propagation rounds: each round follows io one more hop (alias → store → read → getter ...). */
const MAX_ROUNDS = 25

/** Assignment operators that can put the server into a place. */
const ASSIGNMENTS = new Set([SyntaxKind.EqualsToken, SyntaxKind.QuestionQuestionEqualsToken, SyntaxKind.BarBarEqualsToken])

/**
 * Finds every expression that yields the Socket.IO server by following values, not names: from
 * `new Server()` (with `Server` imported from `socket.io`) through variables, imports, stores into
 * `nitroApp.io` / `globalThis.io` / `event.context.io` / module singletons, and getters returning it.
 */
export class IoResolver {
  /** Declarations (variables, parameters, properties, binding elements) that hold the server. */
  readonly holders = new Set<Node>()
  /** Function declarations / variables holding functions that return the server. */
  readonly getters = new Set<Node>()
  /** Places the server is published to, e.g. `nitro:io`, `global:io`, `context:io`, `object:3:io`. */
  readonly channels = new Set<string>()
  /** Assignments that publish the server into a channel, with the channel. */
  readonly stores = new Map<Node, string>()
  private readonly objectIds = new Map<Node, number>()

  /**
   * Module-level objects that exist to hold the server (every property of theirs carries it, or they
   * start empty): `const holder: { io?: Server } = { io: undefined }`, `export default { io: null as
   * Server | null }`. Each is named by its variable declaration, or by the literal when it has none.
   */
  containers(): Node[] {
    const result: Node[] = []
    for (const [literal, id] of this.objectIds) {
      if (!Node.isObjectLiteralExpression(literal)) continue
      const carries = (name: string) => this.channels.has(`object:${id}:${name}`)
      if (![...this.channels].some((channel) => channel.startsWith(`object:${id}:`))) continue
      const onlyIo = literal.getProperties().every(
        (property) => (Node.isPropertyAssignment(property) || Node.isShorthandPropertyAssignment(property)) && carries(property.getName()),
      )
      const container = containerOf(literal)
      if (onlyIo && container) result.push(container)
    }
    return result
  }

  constructor(
    private readonly repo: Repo,
    readonly files: readonly SourceFile[],
  ) {}

  /**
   * What names refer to, remembered while solving: the rounds ask about the same identifiers again
   * and the trees never change. Afterwards every question is answered afresh.
   */
  private declarationCache: Map<Node, Node[]> | undefined

  /** Propagate until nothing new is found (bounded). */
  solve(): void {
    this.declarationCache = new Map()
    try {
      const flows = this.files.flatMap((file) => collectFlows(file))
      for (const file of this.files) this.seedTypedHolders(file)
      for (let round = 0; round < MAX_ROUNDS; round++) {
        let changed = false
        for (const flow of flows) changed = this.propagate(flow) || changed
        if (!changed) return
      }
    } finally {
      this.declarationCache = undefined
    }
  }

  private declarationsOf(identifier: Node): Node[] {
    const cached = this.declarationCache?.get(identifier)
    if (cached) return cached
    const declarations = declarationsOf(this.repo, identifier)
    this.declarationCache?.set(identifier, declarations)
    return declarations
  }

  /** True when the expression evaluates to the server. */
  isIo(node: Node, depth = 0): boolean {
    if (depth > 20) return false
    const target = unwrapExpression(node)
    if (Node.isNewExpression(target)) return this.isServerClass(target.getExpression())
    if (Node.isIdentifier(target)) {
      if (isNameOfMember(target)) return false
      const declarations = this.declarationsOf(target)
      if (declarations.some((declaration) => this.holders.has(declaration))) return true
      const globalName = declaredGlobalVar(declarations)
      return globalName !== undefined && this.channels.has(`global:${globalName}`)
    }
    if (Node.isPropertyAccessExpression(target) || Node.isElementAccessExpression(target)) {
      const channel = this.channelOf(target)
      return channel !== undefined && this.channels.has(channel)
    }
    if (Node.isCallExpression(target)) {
      const callee = unwrapExpression(target.getExpression())
      if (!Node.isIdentifier(callee)) return false
      return this.declarationsOf(callee).some((declaration) => this.getters.has(declaration))
    }
    if (Node.isAwaitExpression(target)) return this.isIo(target.getExpression(), depth + 1)
    if (Node.isBinaryExpression(target)) {
      const operator = target.getOperatorToken().getKind()
      if (operator !== SyntaxKind.QuestionQuestionToken && operator !== SyntaxKind.BarBarToken && !ASSIGNMENTS.has(operator)) return false
      return this.isIo(target.getLeft(), depth + 1) || this.isIo(target.getRight(), depth + 1)
    }
    if (Node.isConditionalExpression(target)) {
      return this.isIo(target.getWhenTrue(), depth + 1) || this.isIo(target.getWhenFalse(), depth + 1)
    }
    return false
  }

  /** How an io expression reaches the server (for the model's accesses). */
  accessKind(node: Node): IoAccessKind {
    const target = unwrapExpression(node)
    if (Node.isNewExpression(target)) return 'creation'
    if (Node.isCallExpression(target)) return 'getter'
    if (Node.isIdentifier(target)) return declaredGlobalVar(declarationsOf(this.repo, target)) !== undefined ? 'global' : 'binding'
    const channel = this.channelOf(target) ?? ''
    if (channel.startsWith('nitro:')) return 'nitro-app'
    if (channel.startsWith('global:')) return 'global'
    if (channel.startsWith('context:')) return 'event-context'
    return 'singleton'
  }

  /** `Server` (or `SocketIO.Server`) imported from `socket.io`. */
  isServerClass(node: Node): boolean {
    const target = unwrapExpression(node)
    if (Node.isIdentifier(target)) {
      return symbolDeclarations(target).some(
        (declaration) => importSourceOf(declaration) === 'socket.io' && Node.isImportSpecifier(declaration) && declaration.getName() === 'Server',
      )
    }
    if (Node.isPropertyAccessExpression(target) && target.getName() === 'Server') {
      const object = unwrapExpression(target.getExpression())
      return (
        Node.isIdentifier(object) &&
        symbolDeclarations(object).some((declaration) => importSourceOf(declaration) === 'socket.io')
      )
    }
    return false
  }

  /** A type annotation naming the socket.io `Server` (also inside unions such as `Server | null`). */
  isServerType(typeNode: Node | undefined): boolean {
    if (!typeNode) return false
    if (Node.isUnionTypeNode(typeNode)) return typeNode.getTypeNodes().some((member) => this.isServerType(member))
    if (Node.isParenthesizedTypeNode(typeNode)) return this.isServerType(typeNode.getTypeNode())
    if (Node.isTypeReference(typeNode)) {
      const name = typeNode.getTypeName()
      if (Node.isIdentifier(name)) return this.isServerClass(name)
      if (Node.isQualifiedName(name) && name.getRight().getText() === 'Server') {
        const left = name.getLeft()
        return (
          Node.isIdentifier(left) &&
          symbolDeclarations(left).some((declaration) => importSourceOf(declaration) === 'socket.io')
        )
      }
    }
    return false
  }

  /**
   * The channel a member access reads or writes: `nitro:<name>` for `nitroApp.x` / `useNitroApp().x`,
   * `global:<name>` for `globalThis.x` / `global.x`, `context:<name>` for `event.context.x`,
   * `object:<id>:<name>` for a property of a module-level object literal.
   */
  channelOf(member: Node): string | undefined {
    const name = memberName(member)
    const object = memberObject(member)
    return name === undefined || !object ? undefined : this.channelFor(object, name)
  }

  /** The channel of `<object>.<name>`. */
  private channelFor(objectNode: Node, name: string): string | undefined {
    const object = unwrapExpression(objectNode)
    if (isUseNitroAppCall(object)) return `nitro:${name}`
    if (isGlobalObject(object)) return `global:${name}`
    if (Node.isPropertyAccessExpression(object) && object.getName() === 'context' && this.isEventLike(object.getExpression())) {
      return `context:${name}`
    }
    if (!Node.isIdentifier(object)) return undefined
    const declarations = this.declarationsOf(object)
    if (declarations.some((declaration) => this.isNitroAppBinding(declaration))) return `nitro:${name}`
    for (const declaration of declarations) {
      const literal = objectLiteralOf(declaration)
      if (literal) return `object:${this.objectId(literal)}:${name}`
    }
    return undefined
  }

  private objectId(literal: Node): number {
    let id = this.objectIds.get(literal)
    if (id === undefined) {
      id = this.objectIds.size + 1
      this.objectIds.set(literal, id)
    }
    return id
  }

  /** An identifier bound to an h3 event: a parameter (of an event handler, a hook or a middleware). */
  private isEventLike(node: Node): boolean {
    const target = unwrapExpression(node)
    if (!Node.isIdentifier(target)) return false
    return symbolDeclarations(target).some((declaration) => Node.isParameterDeclaration(declaration))
  }

  /** The `nitroApp` parameter of a Nitro plugin, a parameter typed `NitroApp`, or `const app = useNitroApp()`. */
  private isNitroAppBinding(declaration: Node): boolean {
    if (Node.isVariableDeclaration(declaration)) {
      const initializer = declaration.getInitializer()
      return initializer !== undefined && isUseNitroAppCall(initializer)
    }
    if (!Node.isParameterDeclaration(declaration)) return false
    if (/\bNitroApp\b/.test(declaration.getTypeNode()?.getText() ?? '')) return true
    const fn = declaration.getParent()
    if (!Node.isArrowFunction(fn) && !Node.isFunctionExpression(fn) && !Node.isFunctionDeclaration(fn)) return false
    if (fn.getParameters()[0] !== declaration) return false
    const call = fn.getParent()
    if (Node.isCallExpression(call) && isFrameworkGlobal(unwrapExpression(call.getExpression()), 'defineNitroPlugin')) return true
    // A bare `export default (nitroApp) => {}` plugin (C3).
    const isDefaultExport =
      (Node.isFunctionDeclaration(fn) && fn.isDefaultExport()) || Node.isExportAssignment(fn.getParent())
    const unit = this.repo.unitOf(fn.getSourceFile())
    return isDefaultExport && unit !== undefined && isPluginPath(this.repo, unit.path)
  }

  private seedTypedHolders(file: SourceFile): void {
    const declarations = descendantsWhere(
      file,
      (node) => ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isPropertyDeclaration(node) || ts.isPropertyAssignment(node),
    )
    for (const node of declarations) {
      if (
        (Node.isVariableDeclaration(node) || Node.isParameterDeclaration(node) || Node.isPropertyDeclaration(node)) &&
        this.isServerType(node.getTypeNode())
      ) {
        if (!isInsideAmbientDeclaration(node)) this.holders.add(node)
      }
      if (Node.isPropertyAssignment(node)) {
        const initializer = node.getInitializer()
        if (initializer && Node.isAsExpression(initializer) && this.isServerType(initializer.getTypeNode())) {
          this.holdInObject(node)
        }
      }
    }
  }

  /** A property of an object literal holds the server: `{ io: null as Server | null }`, `{ io }`. */
  private holdInObject(property: Node): boolean {
    const literal = property.getParent()
    const name = Node.isPropertyAssignment(property) || Node.isShorthandPropertyAssignment(property) ? property.getName() : undefined
    if (!literal || !Node.isObjectLiteralExpression(literal) || name === undefined) return false
    const channel = `object:${this.objectId(literal)}:${name}`
    const before = this.channels.size + this.holders.size
    this.channels.add(channel)
    this.holders.add(property)
    return this.channels.size + this.holders.size !== before
  }

  private propagate(flow: Node): boolean {
    if (Node.isVariableDeclaration(flow)) {
      const initializer = flow.getInitializer()
      if (!initializer) return false
      const nameNode = flow.getNameNode()
      if (Node.isObjectBindingPattern(nameNode)) return this.propagateDestructuring(nameNode, initializer)
      if (this.holders.has(flow) || !this.isIo(initializer)) return false
      this.holders.add(flow)
      return true
    }
    if (Node.isBinaryExpression(flow)) {
      if (!this.isIo(flow.getRight())) return false
      return this.markTarget(flow.getLeft(), flow)
    }
    if (Node.isPropertyAssignment(flow) || Node.isShorthandPropertyAssignment(flow)) {
      if (this.holders.has(flow)) return false
      const value = Node.isPropertyAssignment(flow) ? flow.getInitializer() : flow.getNameNode()
      if (!value || !this.isIo(value)) return false
      return this.holdInObject(flow)
    }
    if (Node.isReturnStatement(flow) || Node.isArrowFunction(flow)) {
      const value = Node.isReturnStatement(flow) ? flow.getExpression() : flow.getBody()
      if (!value || !this.isIo(value)) return false
      const getter = getterDeclarationOf(flow)
      if (!getter || this.getters.has(getter)) return false
      this.getters.add(getter)
      return true
    }
    return false
  }

  /** `const { io } = useNitroApp()` */
  private propagateDestructuring(pattern: Node, initializer: Node): boolean {
    if (!Node.isObjectBindingPattern(pattern)) return false
    let changed = false
    for (const element of pattern.getElements()) {
      if (this.holders.has(element)) continue
      const property = element.getPropertyNameNode()?.getText() ?? element.getName()
      const channel = this.channelFor(initializer, property)
      if (channel && this.channels.has(channel)) {
        this.holders.add(element)
        changed = true
      }
    }
    return changed
  }

  /** Record that an assignment target now holds the server. */
  private markTarget(left: Node, assignment: Node): boolean {
    const target = unwrapExpression(left)
    if (Node.isIdentifier(target)) {
      let changed = false
      const declarations = symbolDeclarations(target)
      const globalName = declaredGlobalVar(declarations)
      if (globalName !== undefined) return this.addChannel(`global:${globalName}`, assignment)
      for (const declaration of declarations) {
        if ((Node.isVariableDeclaration(declaration) || Node.isParameterDeclaration(declaration)) && !this.holders.has(declaration)) {
          this.holders.add(declaration)
          changed = true
        }
      }
      return changed
    }
    const channel = this.channelOf(target)
    return channel !== undefined && this.addChannel(channel, assignment)
  }

  private addChannel(channel: string, assignment: Node): boolean {
    this.stores.set(assignment, channel)
    if (this.channels.has(channel)) return false
    this.channels.add(channel)
    return true
  }
}

/** Nodes through which the server can flow: declarations, assignments, object properties, returns. */
function collectFlows(file: SourceFile): Node[] {
  return descendantsWhere(file, (node) => {
    if (ts.isVariableDeclaration(node) || ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) return true
    if (ts.isReturnStatement(node)) return true
    if (ts.isArrowFunction(node)) return !ts.isBlock(node.body)
    return ts.isBinaryExpression(node) && ASSIGNMENTS.has(node.operatorToken.kind)
  })
}

/** The function declaration, or the variable holding the function, that a return belongs to. */
function getterDeclarationOf(flow: Node): Node | undefined {
  const fn = Node.isArrowFunction(flow)
    ? flow
    : flow.getParentWhile((parent) => !Node.isFunctionLikeDeclaration(parent))?.getParent()
  if (!fn) return undefined
  if (Node.isFunctionDeclaration(fn)) return fn
  if (Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) {
    const parent = fn.getParent()
    if (Node.isVariableDeclaration(parent)) return parent
  }
  return undefined
}

/** The object literal a declaration stands for: `const s = { io: null }`, `export default { io: null }`. */
function objectLiteralOf(declaration: Node): Node | undefined {
  if (Node.isObjectLiteralExpression(declaration)) return declaration
  if (Node.isExportAssignment(declaration)) {
    const expression = unwrapExpression(declaration.getExpression())
    return Node.isObjectLiteralExpression(expression) ? expression : undefined
  }
  if (Node.isVariableDeclaration(declaration)) {
    const initializer = declaration.getInitializer()
    const expression = initializer ? unwrapExpression(initializer) : undefined
    return expression && Node.isObjectLiteralExpression(expression) ? expression : undefined
  }
  return undefined
}

/** What names a module-level object literal: the variable it initialises, or the literal of `export default { ... }`. */
function containerOf(literal: Node): Node | undefined {
  const outer = literal.getParentWhile((node) => Node.isAsExpression(node) || Node.isSatisfiesExpression(node) || Node.isParenthesizedExpression(node)) ?? literal
  const parent = outer.getParent()
  if (Node.isExportAssignment(parent)) return literal
  const isModuleLevel = Node.isVariableDeclaration(parent) && Node.isSourceFile(parent.getVariableStatement()?.getParent())
  return isModuleLevel ? parent : undefined
}

/** The name of a `var` declared in a `declare global { ... }` block, when one of the declarations is one. */
function declaredGlobalVar(declarations: Node[]): string | undefined {
  for (const declaration of declarations) {
    if (!Node.isVariableDeclaration(declaration)) continue
    const block = declaration.getFirstAncestorByKind(SyntaxKind.ModuleDeclaration)
    if (block && block.getName() === 'global') return declaration.getName()
  }
  return undefined
}

function isInsideAmbientDeclaration(node: Node): boolean {
  return node.getFirstAncestorByKind(SyntaxKind.ModuleDeclaration) !== undefined || node.getSourceFile().isDeclarationFile()
}

/** The `name` identifier of `a.name` (it names a property, it is not a value). */
function isNameOfMember(identifier: Node): boolean {
  const parent = identifier.getParent()
  return Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier
}

function isPluginPath(repo: Repo, path: string): boolean {
  const pluginsDir = `${repo.relative(repo.layout.serverDir)}/plugins/`
  return path.startsWith(pluginsDir)
}

/** Every repo file reachable by imports from the given files, so getters and singletons in unscanned files are seen. */
export function withImportedFiles(repo: Repo, files: readonly SourceFile[]): SourceFile[] {
  const seen = new Set<SourceFile>(files)
  const queue = [...files]
  while (queue.length > 0 && seen.size < 5000) {
    const file = queue.shift()!
    for (const declaration of file.getImportDeclarations()) {
      const target = resolveModule(repo, file, declaration.getModuleSpecifierValue())
      if (target && !seen.has(target)) {
        seen.add(target)
        queue.push(target)
      }
    }
  }
  return [...seen]
}
