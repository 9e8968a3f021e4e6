// The model of the io.use middlewares and the connection handlers, built by the handlers analysis.
import type { ArrowFunction, CallExpression, Expression, FunctionExpression, Node, ParameterDeclaration, Statement } from 'ts-morph'

export type HandlerFunction = ArrowFunction | FunctionExpression

/** Something the migration cannot carry over; the node is where the follow-up points. */
export interface Blocker {
  node: Node
  reason: string
  /** The tool's own output for this part would not have run (the verify stage withdrew it): a defect of the tool. */
  withdrawn?: true
}

/**
 * One way code inside a connection handler (or a `socket.on` handler) touches the socket, or a
 * connection-scope variable. The transforms render each one; anything not in this list that
 * still mentions the socket is a `Blocker`.
 */
export type SocketUse =
  /** `socket.data.userId`, `socket.user` (augmentation), or a connection-scope variable holding one. */
  | { kind: 'data'; node: Node; key: string }
  /** `socket.id` */
  | { kind: 'id'; node: Node }
  /** `socket.emit(event, data)`: back to the sending connection only. */
  | { kind: 'emit-self'; node: CallExpression; args: Expression[] }
  /** `socket.emit('error', { message })`: an error reply. */
  | { kind: 'emit-error'; node: CallExpression; message: Expression | undefined }
  /** `socket.to(r).emit(...)`, `socket.broadcast[.to(r)].emit(...)`: rooms (none = everyone) minus the sender. */
  | { kind: 'emit-others'; node: CallExpression; rooms: Expression[]; args: Expression[] }
  /** `socket.join(r)` / `socket.leave(r)` (one room or an array literal of rooms). */
  | { kind: 'join' | 'leave'; node: CallExpression; rooms: Expression[] }
  /** A call of the handler's acknowledgement callback. */
  | { kind: 'ack'; node: CallExpression; value: Expression | undefined }
  /** `socket.handshake.query.rooms`, `socket.handshake.auth.token`, ...: see HandshakeRead. */
  | { kind: 'handshake'; node: Expression; read: HandshakeRead }

/** What a `socket.on(event, fn)` handler is for. */
export type HandlerKind =
  /** A client→server event that becomes a POST route. */
  | 'event'
  /** `ping` (and the like): nothing left to do over HTTP. */
  | 'ping'
  /** `disconnect` / `disconnecting`: clean-up when the connection goes away. */
  | 'disconnect'

export interface SocketHandler {
  event: string
  kind: HandlerKind
  /** Repo-relative file of the handler. */
  file: string
  /** The `socket.on(...)` call. */
  call: CallExpression
  fn: HandlerFunction
  /** The request payload parameter, if any. */
  payload?: ParameterDeclaration
  /** Two or more payload parameters, `(channelId, username)`: the client posts them as one JSON array. */
  positional?: ParameterDeclaration[]
  /** The acknowledgement callback parameter, if any. */
  ack?: ParameterDeclaration
  uses: SocketUse[]
  /** Why this handler cannot be transplanted; empty when it can. */
  blockers: Blocker[]
  /** For `disconnect`: the body only logs. */
  onlyLogs: boolean
}

/** `io.on('connection', (socket) => {...})` */
export interface ConnectionHandler {
  file: string
  call: CallExpression
  fn: HandlerFunction
  handlers: SocketHandler[]
  /** Statements of the connection scope other than `socket.on` handlers (joins, logs, variables), in order. */
  setup: Statement[]
  /** Socket uses inside `setup`. */
  setupUses: SocketUse[]
  setupBlockers: Blocker[]
  /** Connection-scope variables that only copy socket data (`const userId = socket.data.userId`): name → key. */
  dataAliases: Map<string, string>
}

/**
 * A read of the handshake in a middleware or connection handler, and its HTTP equivalent:
 * - `auth`: `socket.handshake.auth.<name>` (the client's `io({ auth })`; over HTTP an `Authorization: Bearer` header)
 * - `header`: `socket.handshake.headers.<name>` / `socket.request.headers.<name>` (name lower-cased)
 * - `query`: `socket.handshake.query.<name>`
 * - `context`: `socket.request.<...>.auth`, Nitro's `event.context.auth` copied onto the request
 */
export interface HandshakeRead {
  kind: 'auth' | 'header' | 'query' | 'context'
  node: Expression
  name: string
}

/** `socket.data.<key> = value` / `socket.<key> = value` in a middleware. */
export interface DataAssignment {
  node: Statement
  key: string
  value: Expression
  /** false for `socket.<key> = value` (a `declare module 'socket.io'` augmentation). */
  onData: boolean
}

/** A call of the middleware's `next`: `next()` lets the connection in, `next(new Error(message))` refuses it. */
export interface NextCall {
  node: CallExpression
  /** Set for a refusal; the `Error`'s message (undefined when it is not `new Error(...)`). */
  refusal?: { message: Expression | undefined }
}

/** `io.use((socket, next) => {...})` */
export interface AuthMiddleware {
  file: string
  call: CallExpression
  fn: HandlerFunction
  /** Everything it reads from the handshake (the token sources among them). */
  reads: HandshakeRead[]
  assignments: DataAssignment[]
  nextCalls: NextCall[]
  /** Keys the middleware stores on the socket, in order. */
  dataKeys: string[]
  /** Keys stored directly on the socket (`socket.user = ...`), read back as `socket.user`. */
  augmentedKeys: string[]
  blockers: Blocker[]
}

/** An auth util the repo's API routes already call with their event, e.g. `const user = await requireAuth(event)`. */
export interface HttpAuthUtil {
  name: string
  /** Repo-relative file that declares it. */
  file: string
  /** Names of the functions it calls, to recognise the socket middleware's verification call inside it. */
  calls: string[]
  /** How many API route files call it. */
  routes: number
  /** Functions whose result it returns as it is (`return payload` of `const payload = verifyToken(token)`). */
  returnsResultOf: string[]
  /** The alias the routes import it through (`#server/utils/auth`), when they do; else relative imports or auto-import. */
  importSpecifier?: string
  /** What it returns: the user's id, a user object with an `id`, or something else (undefined). */
  yields: 'id' | 'user' | undefined
  /** It refuses a request without valid credentials itself (throws), rather than trusting what another middleware set. */
  refuses: boolean
  /** It returns a promise. */
  async: boolean
}

export interface HandlerModel {
  connections: ConnectionHandler[]
  middlewares: AuthMiddleware[]
  /** Every `socket.on` handler of every connection handler, in source order. */
  handlers: SocketHandler[]
  /** The repo's own HTTP auth util, reused for the SSE endpoint and the routes when it does the middleware's check (or there is no middleware). */
  httpAuth?: HttpAuthUtil
  /** The handler by which the client says who it is, replaced by the app's HTTP auth (only without a middleware). */
  selfIdentification?: SelfIdentification
}

/**
 * A handler by which the client says who it is (`socket.on('join-user', (userId) => { socket.join(userId);
 * socket.data.userId = userId })`): it joins a room named by the value the client sends and/or stores
 * that value on the socket, and does nothing else but log.
 */
export interface SelfIdentification {
  handler: SocketHandler
  /** The literal prefix of the room it joins (`''` for `socket.join(userId)`), undefined when it joins none. */
  roomPrefix?: string
  /** The socket data keys it stores the value under (`userId`). */
  storedKeys: string[]
}
