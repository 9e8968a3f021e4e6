// The single description of the io server side, built by the server analysis.
import type { CallExpression, NewExpression, Node, SourceFile } from 'ts-morph'

/**
 * How the io server is created (PATTERNS.md §1).
 * - `plugin`: `new Server(...)` in a Nitro plugin (C1, C8)
 * - `engine`: `new Server()` bound to an engine.io `Engine` served through Nitro websocket hooks (C2)
 * - `lazy-hook`: created inside `nitroApp.hooks.hook('request' | ...)` / `hookOnce` (C3)
 * - `middleware`: created by a server middleware, usually `global.io ??= new Server(...)` (C5)
 * - `standalone`: attached to its own `http.createServer()` listening on a separate port (C6)
 * - `route-module`: a module-level server in a route or api file (C7)
 * - `other`: anywhere else (a util, a module)
 */
export type ServerSiteKind = 'plugin' | 'engine' | 'lazy-hook' | 'middleware' | 'standalone' | 'route-module' | 'other'

/** `io.adapter(createAdapter(pub, sub))` from `@socket.io/redis-adapter` (C9). */
export interface RedisAdapterInfo {
  /** The `io.adapter(...)` call. */
  call: CallExpression
  /** Which library the pub/sub clients come from. */
  client: 'ioredis' | 'redis' | 'unknown'
  /**
   * The connection settings given to the first client: the URL or options expression
   * (`process.env.REDIS_URL`, `{ host, port }`, `'redis://localhost:6379'`). Undefined when not found.
   */
  connection?: Node
  /** Source text of `connection`, kept because later transforms may delete or rewrite the file that holds it. */
  connectionText?: string
  /** True when the connection is a string literal (`'redis://localhost:6379'`). */
  connectionIsLiteral: boolean
  /** `process.env.X` names read by the connection expression, e.g. `['REDIS_URL']`. */
  envVars: string[]
  /** The runtime-config key the connection comes from (`useRuntimeConfig().redisUrl` → `redisUrl`, nested keys dotted). */
  runtimeConfigKey?: string
  /** True when the adapter is set inside a `try` whose `catch` keeps the in-memory adapter. */
  fallsBackToMemory: boolean
  /** The app's own function that made the ioredis clients (`getRedisClient()`), which the SSE broker can connect through. */
  clientFactory?: AppRedisFactory
}

/** An exported function of the app's server code that returns its ioredis client. */
export interface AppRedisFactory {
  name: string
  /** Repo-relative file that declares it. */
  file: string
  /** The module specifier the Socket.IO code imported it from (`#server/utils/redis`); undefined when auto-imported. */
  importSpecifier?: string
}

/** One place that creates a Socket.IO server. */
export interface IoServerSite {
  kind: ServerSiteKind
  /** Repo-relative path. */
  file: string
  /** The `new Server(...)` expression. */
  creation: NewExpression
  /** Texts of the generic arguments of a typed server (`Server<ClientToServer, ServerToClient, ...>`), C8. */
  typeArguments: string[]
  /** The options argument (`{ cors, path, transports }`) when given. */
  options?: Node
  /** Set when the server is attached in `nitroApp.hooks.hook('listen', ...)` (C4). */
  attachedOnListen: boolean
  /** The port expression of a separate `http.createServer().listen(port)` (C6). */
  standalonePort?: Node
  /** True when the server is bound to an `engine.io` Engine (C2). */
  usesEngineIo: boolean
  redisAdapter?: RedisAdapterInfo
}

/**
 * How one expression yields the io server (PATTERNS.md §2).
 * - `creation`: `new Server(...)` itself
 * - `binding`: a variable, parameter or import bound to the server (local aliases, `export const io`, `io: Server` params)
 * - `nitro-app`: `nitroApp.io`, `useNitroApp().io`, `(useNitroApp() as any).io` (A1)
 * - `global`: `globalThis.io`, `global.io` (A2, C5)
 * - `event-context`: `event.context.io` (A3)
 * - `singleton`: a property of a module-level object, `socketServer.io` (A4)
 * - `getter`: a call of a function returning io, `getSocketIO()` (A5)
 * - `shim`: an object whose `emit` is rebound to `io.emit` (`event.context.appSocket.emit = io.emit.bind(io)`, A6);
 *   only its `emit` calls count, as `io.emit`
 */
export type IoAccessKind = 'creation' | 'binding' | 'nitro-app' | 'global' | 'event-context' | 'singleton' | 'getter' | 'shim'

/** One maximal expression in the code that evaluates to the io server (wrappers such as `as any`, `!`, parentheses excluded). */
export interface IoAccess {
  node: Node
  kind: IoAccessKind
  file: string
}

/** An assignment that publishes the server somewhere other code reads it from: `nitroApp.io = io`, `globalThis.io = io`. */
export interface IoStore {
  /** The whole assignment expression (or the object property / variable declaration). */
  node: Node
  /** Where it is stored, e.g. `nitro:io`, `global:io`, `context:io`, `object:<file>:<pos>:io`, `binding`. */
  channel: string
  file: string
}

/** What the emit chain ends with. */
export type EmitMethod =
  | 'emit'
  | 'emitWithAck'
  | 'fetchSockets'
  | 'socketsJoin'
  | 'socketsLeave'
  | 'disconnectSockets'
  | 'serverSideEmit'

/** Chain links that change delivery without naming targets. */
export type EmitModifierName = 'volatile' | 'local' | 'compress' | 'timeout' | 'sockets' | 'of'

export interface EmitModifier {
  name: EmitModifierName
  /** The call arguments (`timeout(5000)` → `[5000]`); empty for property modifiers such as `volatile`. */
  args: Node[]
}

/** One `io....emit(...)` (or other broadcast operator) call (PATTERNS.md §4, E1–E3, E5, E7, E8). */
export interface EmitSite {
  file: string
  /** The outermost call, the node a rewrite replaces: `io.to(r).emit(e, d)`. */
  call: CallExpression
  /** The io expression the chain starts from. */
  receiver: Node
  method: EmitMethod
  /** Arguments of every `.to(...)` / `.in(...)` in order (an array literal argument stays one node). */
  rooms: Node[]
  /** Arguments of every `.except(...)`. */
  except: Node[]
  modifiers: EmitModifier[]
  /** First argument of `emit` (the event name); undefined for methods without an event. */
  event?: Node
  /** Arguments after the event name (or all arguments for methods without an event). */
  data: Node[]
}

/** Other uses of the server besides emits: `io.on('connection')`, `io.use`, `io.adapter`, `io.attach`, `io.engine`, ... */
export interface IoMemberUse {
  file: string
  /** The member name after the receiver, e.g. `on`, `use`, `attach`, `engine`. */
  member: string
  /** The call when the member is called (`io.attach(server)`), else the property access. */
  node: Node
  receiver: Node
}

/**
 * A type augmentation declaring the io server: `declare module 'nitropack' { interface NitroApp { io?: Server } }`,
 * `declare global { var io: Server }`, `declare module 'h3' { interface H3EventContext { io: Server } }`,
 * or a `declare module 'socket.io'` augmentation of the Socket interface.
 */
export interface IoAugmentation {
  file: string
  /** `nitropack` / `nitropack/types` / `h3` / `global` / `socket.io` ... */
  module: string
  /** The `declare module` / `declare global` block. */
  node: Node
  /** The members of it that declare io (property signatures, `var` declarations); all members for `socket.io`. */
  members: Node[]
}

/** A function (or arrow held by a variable) returning the server: `export function getSocketIO() { return io }` (A5). */
export interface IoGetter {
  file: string
  /** The FunctionDeclaration or the VariableDeclaration holding the arrow/function expression. */
  declaration: Node
  name: string
  exported: boolean
}

/** The io server side of the repo, built once by `analyseServer`. */
export interface ServerModel {
  /** Every `new Server(...)` from `socket.io`. */
  sites: IoServerSite[]
  /** Every maximal expression that yields the server, across all files. */
  accesses: IoAccess[]
  /** Every place the server is published for other code (`nitroApp.io = io`, `globalThis.io = io`, `singleton.io = io`). */
  stores: IoStore[]
  /** Every emit / broadcast-operator call on the server. */
  emits: EmitSite[]
  /** `io.on('connection' | 'connect', handler)` calls (and `io.sockets.on` / `io.of(ns).on`); the handler analysis reads each handler. */
  connectionHandlers: CallExpression[]
  /** `io.use(middleware)` calls; the handler analysis reads each middleware. */
  middlewares: CallExpression[]
  /** Every other member use of the server (`attach`, `bind`, `adapter`, `engine`, `close`, `of`, ...). */
  memberUses: IoMemberUse[]
  augmentations: IoAugmentation[]
  getters: IoGetter[]
  /** Variable / parameter / property declarations that hold the server (the `io` in `const io = new Server()`). */
  holders: Node[]
  /** Module-level objects that only hold the server in their properties (`const holder: { io?: Server } = {}`), by variable declaration (or the literal of `export default { ... }`). */
  containers: Node[]
  /** Repo-relative files that import `socket.io` (the server package). */
  socketIoImporters: string[]
  /** True when `node` (ignoring parentheses, `as` casts, `!` and `satisfies`) evaluates to the io server. Works on any node. */
  isIoExpression(node: Node): boolean
  /** True when the declaration node (variable, parameter, object property, binding element, getter function) holds or returns the io server. */
  isIoHolder(node: Node): boolean
  /** True for one of `containers`, or the `export default` of one. */
  isIoContainer(node: Node): boolean
  /** The source file an import specifier of a file refers to (relative paths and every Nuxt alias); undefined for packages and .vue files. */
  resolveImportSourceFile(from: SourceFile, specifier: string): SourceFile | undefined
}
