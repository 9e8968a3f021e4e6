import { Node, SyntaxKind, type BinaryExpression, type CallExpression, type Identifier, type PropertyAssignment, ts, type VariableDeclaration } from 'ts-morph'
import type { ScriptBlock } from '../../project/types.js'
import { isSocketTypeName, type ClientBindings } from './imports.js'
import { containerOf, declarationOf, functionName, isNuxtAppExpression, isNuxtPluginSetup, optionStoreName, storeNameOfSetup, stringValue, typeKind } from './syntax.js'
import { unwrapExpression } from '../../ast/expression.js'
import type { SocketKind } from './types.js'
import { descendantsOfKind, descendantsWhere } from '../../ast/walk.js'
import { isPackageSpecifier } from '../../project/resolution.js'
import { localDeclarations } from '../../ast/scope.js'

/** What calling a function (or injecting a key) gives: the socket itself, and/or an object with socket members. */
export interface Produces {
  self?: SocketKind
  props: Map<string, SocketKind>
}

/** Functions whose call yields the Vue ref API; a `.value` of a socket ref is the socket. */
const REF_FACTORIES = new Set(['ref', 'shallowRef'])
/** Wrappers that keep a ref a ref. */
const REF_WRAPPERS = new Set(['readonly', 'shallowReadonly', 'toRef', 'markRaw'])
const ASSIGNMENTS = new Set([SyntaxKind.EqualsToken, SyntaxKind.QuestionQuestionEqualsToken, SyntaxKind.BarBarEqualsToken])
const ALTERNATIVES = new Set([SyntaxKind.BarBarToken, SyntaxKind.QuestionQuestionToken])

/**
 * Knows which expressions of the app evaluate to a socket. Built by a fixpoint over every script
 * block: within a file by symbol, across files by the (auto-imported) name of the composable, the
 * `inject` key or the Nuxt provide key, since Nuxt apps rarely import those explicitly.
 */
export class SocketResolver {
  /** Declarations (variables, binding elements, parameters) that hold a socket or a socket ref. */
  readonly holders = new Map<ts.Node, SocketKind>()
  /** `this.<prop>` holders per container (class, store options, component options). */
  readonly containerProps = new Map<ts.Node, Map<string, SocketKind>>()
  /** Composables and stores by name. */
  readonly functions = new Map<string, Produces>()
  /** `provide(key, ...)` → `inject(key)`. */
  readonly injects = new Map<string, Produces>()
  /** Nuxt plugin provide keys (`socket` → `$socket`). */
  readonly provided = new Map<string, SocketKind>()
  /** Module-level variables exported holding a socket (`export const socket = io()`), by name: files importing that name hold it too. */
  readonly exported = new Map<string, SocketKind>()
  /** Bumped whenever something new is learnt, to drive the fixpoint. */
  version = 0

  constructor(private readonly bindingsOf: (node: Node) => ClientBindings) {}

  setHolder(node: Node, kind: SocketKind): void {
    if (this.holders.get(node.compilerNode) === kind) return
    this.holders.set(node.compilerNode, kind)
    this.version++
  }

  setContainerProp(container: Node, prop: string, kind: SocketKind): void {
    const props = this.containerProps.get(container.compilerNode) ?? new Map<string, SocketKind>()
    if (props.get(prop) === kind) return
    props.set(prop, kind)
    this.containerProps.set(container.compilerNode, props)
    this.version++
  }

  setProduces(map: Map<string, Produces>, key: string, produces: Produces): void {
    const known = map.get(key)
    if (known && known.self === produces.self && sameProps(known.props, produces.props)) return
    map.set(key, produces)
    this.version++
  }

  setExported(name: string, kind: SocketKind): void {
    if (this.exported.get(name) === kind) return
    this.exported.set(name, kind)
    this.version++
  }

  setProvided(key: string, kind: SocketKind): void {
    if (this.provided.get(key) === kind) return
    this.provided.set(key, kind)
    this.version++
  }

  /** True for `io(...)`, `connect(...)`, `SocketIO.io(...)` from socket.io-client. */
  isFactoryCall(node: Node): boolean {
    if (!Node.isCallExpression(node)) return false
    const callee = node.getExpression()
    const bindings = this.bindingsOf(node)
    if (Node.isIdentifier(callee)) return bindings.factories.has(callee.getText())
    if (Node.isPropertyAccessExpression(callee)) {
      const object = callee.getExpression()
      return Node.isIdentifier(object) && bindings.namespaces.has(object.getText()) && ['io', 'connect', 'default'].includes(callee.getName())
    }
    return false
  }

  /** What an expression evaluates to, or undefined when it is not (known to be) a socket. */
  kindOf(node: Node): SocketKind | undefined {
    const expr = unwrapExpression(node)
    if (Node.isCallExpression(expr)) {
      if (this.isFactoryCall(expr)) return 'socket'
      const callee = expr.getExpression()
      if (Node.isIdentifier(callee) && REF_WRAPPERS.has(callee.getText())) {
        const arg = expr.getArguments()[0]
        return arg ? this.kindOf(arg) : undefined
      }
      return this.producesOf(expr)?.self
    }
    if (Node.isIdentifier(expr)) {
      const decl = declarationOf(expr)
      if (decl) return this.holders.get(decl.compilerNode)
      const imported = importedName(expr)
      return imported === undefined ? undefined : this.exported.get(imported)
    }
    // `socket ??= io()` evaluates to the socket.
    if (Node.isBinaryExpression(expr) && ASSIGNMENTS.has(expr.getOperatorToken().getKind())) return this.kindOf(expr.getRight())
    // `$socket || getSocket()`, `injected ?? fallback`, `ready ? socket : other`: either side's socket.
    if (Node.isBinaryExpression(expr) && ALTERNATIVES.has(expr.getOperatorToken().getKind())) return this.kindOf(expr.getLeft()) ?? this.kindOf(expr.getRight())
    if (Node.isConditionalExpression(expr)) return this.kindOf(expr.getWhenTrue()) ?? this.kindOf(expr.getWhenFalse())
    if (Node.isPropertyAccessExpression(expr)) {
      const object = unwrapExpression(expr.getExpression())
      const name = expr.getName()
      if (name === 'value' && this.kindOf(object) === 'ref') return 'socket'
      if (name.startsWith('$') && isNuxtAppExpression(object)) return this.provided.get(name.slice(1))
      if (Node.isThisExpression(object)) {
        const container = containerOf(object)
        return container ? this.containerProps.get(container.compilerNode)?.get(name) : undefined
      }
      return this.producesOf(object)?.props.get(name)
    }
    return undefined
  }

  /** What a call or a variable holding its result produces (`useSocket()`, `inject('chat')`, `const chat = useChat()`). */
  producesOf(node: Node): Produces | undefined {
    const expr = unwrapExpression(node)
    if (Node.isCallExpression(expr)) {
      const callee = expr.getExpression()
      if (!Node.isIdentifier(callee)) return undefined
      const name = callee.getText()
      if (name === 'inject') {
        const key = injectionKey(expr.getArguments()[0])
        return key === undefined ? undefined : this.injects.get(key)
      }
      if (name === 'storeToRefs') {
        // `const { socket } = storeToRefs(store)`: the store's socket, as a ref.
        const store = expr.getArguments()[0]
        const produces = store ? this.producesOf(store) : undefined
        return produces && { props: new Map([...produces.props].map(([key]) => [key, 'ref' as const])) }
      }
      return this.functions.get(name)
    }
    if (Node.isIdentifier(expr)) {
      const decl = declarationOf(expr)
      if (decl && Node.isVariableDeclaration(decl)) {
        const init = decl.getInitializer()
        if (init && !Node.isIdentifier(unwrapExpression(init))) return this.producesOf(init)
      }
    }
    return undefined
  }

  /** `ref<Socket | null>(null)`, `shallowRef(null as Socket | null)`: a ref declared to hold the socket. */
  isSocketRefFactory(node: Node): boolean {
    const expr = unwrapExpression(node)
    if (!Node.isCallExpression(expr)) return false
    const callee = expr.getExpression()
    if (!Node.isIdentifier(callee) || !REF_FACTORIES.has(callee.getText())) return false
    const typed = [...expr.getTypeArguments(), ...expr.getArguments()]
    return typed.some((part) => this.mentionsSocketType(part))
  }

  mentionsSocketType(node: Node | undefined): boolean {
    if (!node) return false
    const bindings = this.bindingsOf(node)
    const refs = Node.isTypeReference(node) ? [node] : descendantsOfKind(node, SyntaxKind.TypeReference)
    return refs.some((ref) => isSocketTypeName(bindings, ref.getTypeName().getText()))
  }

  /** One pass of learning over a script block; the caller repeats until `version` stops changing. */
  learn(block: ScriptBlock): void {
    const sf = block.sourceFile
    for (const decl of descendantsOfKind(sf, SyntaxKind.VariableDeclaration)) this.learnDeclaration(decl)
    for (const param of descendantsOfKind(sf, SyntaxKind.Parameter)) {
      if (this.mentionsSocketType(param.getTypeNode())) this.setHolder(param, typeKind(param.getTypeNode()))
    }
    for (const prop of descendantsOfKind(sf, SyntaxKind.PropertyDeclaration)) {
      const container = prop.getParent()
      if (this.mentionsSocketType(prop.getTypeNode())) this.setContainerProp(container, prop.getName(), typeKind(prop.getTypeNode()))
    }
    for (const assignment of descendantsOfKind(sf, SyntaxKind.PropertyAssignment)) this.learnStateProperty(assignment)
    for (const binary of descendantsOfKind(sf, SyntaxKind.BinaryExpression)) this.learnAssignment(binary)
    for (const call of descendantsOfKind(sf, SyntaxKind.CallExpression)) this.learnCall(call)
    this.learnFunctions(block)
  }

  private learnDeclaration(decl: VariableDeclaration): void {
    const init = decl.getInitializer()
    const nameNode = decl.getNameNode()
    if (Node.isIdentifier(nameNode)) {
      const kind =
        (init && this.kindOf(init)) ??
        (init && this.isSocketRefFactory(init) ? 'ref' : undefined) ??
        (this.mentionsSocketType(decl.getTypeNode()) ? typeKind(decl.getTypeNode()) : undefined)
      if (kind) this.setHolder(decl, kind)
      if (kind && decl.getVariableStatement()?.isExported() && Node.isSourceFile(decl.getVariableStatement()?.getParent())) this.setExported(nameNode.getText(), kind)
      return
    }
    if (Node.isObjectBindingPattern(nameNode) && init) {
      const unwrapped = unwrapExpression(init)
      for (const element of nameNode.getElements()) {
        const prop = element.getPropertyNameNode()?.getText() ?? element.getName()
        if (prop.startsWith('$') && isNuxtAppExpression(unwrapped)) {
          const kind = this.provided.get(prop.slice(1))
          if (kind) this.setHolder(element, kind)
          continue
        }
        const kind = this.producesOf(unwrapped)?.props.get(prop)
        if (kind) this.setHolder(element, kind)
      }
    }
  }

  /** `state: () => ({ socket: null as Socket | null })` and `data() { return { socket: null as Socket | null } }`. */
  private learnStateProperty(assignment: PropertyAssignment): void {
    const init = assignment.getInitializer()
    if (!init || !this.mentionsSocketType(init)) return
    const container = containerOf(assignment)
    if (!container) return
    this.setContainerProp(container, assignment.getName(), 'socket')
  }

  private learnAssignment(binary: BinaryExpression): void {
    if (!ASSIGNMENTS.has(binary.getOperatorToken().getKind())) return
    if (this.kindOf(binary.getRight()) !== 'socket') return
    const left = unwrapExpression(binary.getLeft())
    if (Node.isIdentifier(left)) {
      const decl = declarationOf(left)
      if (decl) this.setHolder(decl, 'socket')
    } else if (Node.isPropertyAccessExpression(left)) {
      const object = unwrapExpression(left.getExpression())
      if (left.getName() === 'value' && Node.isIdentifier(object)) {
        const decl = declarationOf(object)
        if (decl) this.setHolder(decl, 'ref')
      } else if (Node.isThisExpression(object)) {
        const container = containerOf(object)
        if (container) this.setContainerProp(container, left.getName(), 'socket')
      }
    }
  }

  /** `provide('socket', socket)`, `nuxtApp.provide('socket', socket)`. */
  private learnCall(call: CallExpression): void {
    const callee = call.getExpression()
    const [keyArg, valueArg] = call.getArguments()
    if (!valueArg) return
    if (Node.isIdentifier(callee) && callee.getText() === 'provide') {
      const key = injectionKey(keyArg)
      if (key === undefined) return
      const produces = this.objectProduces(valueArg)
      if (produces) this.setProduces(this.injects, key, produces)
    } else if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'provide') {
      const key = stringValue(keyArg)
      const kind = this.kindOf(valueArg)
      if (key !== undefined && kind) this.setProvided(key, kind)
    }
  }

  /** Composables, setup stores and Nuxt plugins returning the socket (or an object holding it). */
  private learnFunctions(block: ScriptBlock): void {
    const sf = block.sourceFile
    for (const fn of descendantsWhere(sf, (node) => ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node))) {
      if (!Node.isFunctionDeclaration(fn) && !Node.isArrowFunction(fn) && !Node.isFunctionExpression(fn)) continue
      const name = functionName(fn)
      const produces = this.returnsOf(fn)
      if (!produces) continue
      if (name) this.setProduces(this.functions, name, produces)
      const store = storeNameOfSetup(fn)
      if (store) this.setProduces(this.functions, store, unwrapStoreRefs(produces))
      if (isNuxtPluginSetup(fn)) {
        const provide = produces.provide
        for (const [key, kind] of provide ?? []) this.setProvided(key, kind)
      }
    }
    // Options API: what `setup()` returns is on `this`, refs unwrapped.
    for (const method of descendantsOfKind(sf, SyntaxKind.MethodDeclaration)) {
      const container = method.getName() === 'setup' ? containerOf(method) : undefined
      const produces = container ? this.returnsOf(method) : undefined
      for (const [prop] of produces?.props ?? []) this.setContainerProp(container!, prop, 'socket')
    }
    for (const call of descendantsOfKind(sf, SyntaxKind.CallExpression)) {
      const store = optionStoreName(call)
      const options = call.getArguments()[1]
      if (!store || !options || !Node.isObjectLiteralExpression(options)) continue
      const props = this.containerProps.get(options.compilerNode)
      if (props) this.setProduces(this.functions, store, { props: new Map(props) })
    }
  }

  private returnsOf(fn: Node): (Produces & { provide?: Map<string, SocketKind> }) | undefined {
    const results: Node[] = []
    if (Node.isArrowFunction(fn) && !Node.isBlock(fn.getBody())) results.push(fn.getBody())
    else {
      for (const ret of descendantsOfKind(fn, SyntaxKind.ReturnStatement)) {
        const owner = ret.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a) || Node.isMethodDeclaration(a))
        const value = ret.getExpression()
        if (owner === fn && value) results.push(value)
      }
    }
    let produces: (Produces & { provide?: Map<string, SocketKind> }) | undefined
    for (const result of results) {
      const own = this.objectProduces(result)
      const provide = this.pluginProvide(result)
      if (!own && !provide) continue
      produces ??= { props: new Map() }
      if (own?.self) produces.self = own.self
      for (const [key, kind] of own?.props ?? []) produces.props.set(key, kind)
      if (provide) produces.provide = provide
    }
    return produces
  }

  /** What an expression gives its consumer: itself if a socket, or its socket-valued properties. */
  private objectProduces(node: Node): Produces | undefined {
    const self = this.kindOf(node)
    if (self) return { self, props: new Map() }
    const expr = unwrapExpression(node)
    // `() => inject(socketKey) as SocketContext`, `() => useChat()`: what that call gives, passed on.
    if (Node.isCallExpression(expr)) return this.producesOf(expr)
    if (!Node.isObjectLiteralExpression(expr)) return undefined
    const props = new Map<string, SocketKind>()
    for (const prop of expr.getProperties()) {
      if (Node.isShorthandPropertyAssignment(prop)) {
        const decl = localDeclarations(prop.getNameNode())[0]
        const kind = decl ? this.holders.get(decl.compilerNode) : undefined
        if (kind) props.set(prop.getName(), kind)
      } else if (Node.isPropertyAssignment(prop)) {
        const init = prop.getInitializer()
        const kind = init ? this.kindOf(init) : undefined
        if (kind) props.set(prop.getName(), kind)
      }
    }
    return props.size > 0 ? { props } : undefined
  }

  /** `{ provide: { socket } }` returned by a Nuxt plugin. */
  private pluginProvide(node: Node): Map<string, SocketKind> | undefined {
    const expr = unwrapExpression(node)
    if (!Node.isObjectLiteralExpression(expr)) return undefined
    const provide = expr.getProperty('provide')
    if (!provide || !Node.isPropertyAssignment(provide)) return undefined
    const init = provide.getInitializer()
    return init ? this.objectProduces(init)?.props : undefined
  }
}

function sameProps(a: Map<string, SocketKind>, b: Map<string, SocketKind>): boolean {
  return a.size === b.size && [...a].every(([key, kind]) => b.get(key) === kind)
}

/** A store unwraps the refs its setup returns: `store.socket` is the socket itself. */
function unwrapStoreRefs(produces: Produces): Produces {
  return { props: new Map([...produces.props].map(([key]) => [key, 'socket' as const])) }
}

/** `provide('socket', ...)` / `inject('socket')`, or an `InjectionKey` constant, by its name. */
function injectionKey(node: Node | undefined): string | undefined {
  if (node && Node.isIdentifier(node)) return `#${node.getText()}`
  return stringValue(node)
}

/**
 * The name `id` is imported as, when it refers to a named import of one of the app's own modules
 * (`import { socket as chat } from '~/lib/socket'` → `socket`); a package's export of the same name
 * is not the app's socket.
 */
function importedName(id: Identifier): string | undefined {
  const declaration = localDeclarations(id)[0]
  if (!declaration || !Node.isImportSpecifier(declaration)) return undefined
  return isPackageSpecifier(declaration.getImportDeclaration().getModuleSpecifierValue()) ? undefined : declaration.getName()
}
