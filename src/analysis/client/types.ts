// How the app's browser code uses socket.io-client, as the client analysis describes it.
import type { CallExpression, ImportDeclaration, Node, PropertyAccessExpression, TypeReferenceNode } from 'ts-morph'
import type { ScriptBlock, SourceUnit } from '../../project/types.js'

/** What an expression evaluates to: the socket itself, or a Vue ref whose `.value` is the socket. */
export type SocketKind = 'socket' | 'ref'

/** `S.name` or `S.name(...)` where S evaluates to a socket. */
export interface SocketMemberUse {
  access: PropertyAccessExpression
  name: string
  /** The call when the member is called (`S.on(...)`), undefined for reads such as `S.connected`. */
  call?: CallExpression
}

/** An `io(...)` call creating a socket. */
export interface SocketCreation {
  call: CallExpression
  /** True when the socket lands in a reactive container (`this.socket = io()` in a store or Options API component). */
  reactiveContainer: boolean
  /**
   * True when the socket was app-wide and lived until `disconnect()` (a Nuxt plugin's, a Pinia
   * store's, a module-level singleton, one provided from `app.vue` or a layout), so its stream must
   * not be bound to the component during whose setup it happens to be created.
   */
  outlivesComponent: boolean
  /**
   * The `useChatSSE({ socketIO: { socket: io(...), events } })` call of an earlier run that kept this
   * socket beside the stream for the events that stay on Socket.IO.
   */
  keptBy?: CallExpression
}

/** A Nuxt plugin that creates the socket and provides it as `$<key>`. */
export interface SocketPlugin {
  unit: SourceUnit
  block: ScriptBlock
  /** The provide key, `socket` for `useNuxtApp().$socket`. */
  key: string
  creation: CallExpression
  /** True when the plugin does nothing but create and provide the socket, so it can be deleted. */
  onlyCreatesSocket: boolean
}

/** A read of a plugin-provided socket: `useNuxtApp().$socket`, `nuxtApp.$socket`, `this.$socket`, `const { $socket } = useNuxtApp()`. */
export interface ProvidedSocketUse {
  key: string
  /** The expression to replace (`useNuxtApp().$socket`, `this.$socket`), or the variable declaration of a destructuring. */
  node: Node
  form: 'access' | 'this' | 'destructure'
}

/** socket.io-client usage the tool does not migrate; left as is and reported by the client transform. */
export interface UnsupportedClientUse {
  node: Node
  kind: 'client/unknown-type' | 'client/unknown-use'
  reason: string
  action: string
}

/** Everything socket.io-client in one script block (.ts/.js file or one block of a .vue file). */
export interface ClientScript {
  unit: SourceUnit
  block: ScriptBlock
  imports: ImportDeclaration[]
  creations: SocketCreation[]
  members: SocketMemberUse[]
  /** References to the `Socket` type (and `ManagerOptions`/`SocketOptions`) of socket.io-client. */
  socketTypes: TypeReferenceNode[]
  /** `ref<Socket | null>(null)` and friends: refs that hold the socket. */
  refHolders: CallExpression[]
  /** `readonly(socketRef)` wrappers that would deep-proxy the stream handle. */
  readonlyWraps: CallExpression[]
  /** Type references to `Socket` that sit in a reactive container (state / data), which need `Raw<>`. */
  rawTypes: TypeReferenceNode[]
  provided: ProvidedSocketUse[]
  unsupported: UnsupportedClientUse[]
}

/** A Socket.IO call in browser code on something the client analysis does not know to be a socket. */
export interface UnrecognisedSocketCall {
  call: CallExpression
  /** Repo-relative file and 1-based line. */
  file: string
  line: number
  event: string
  direction: 'hears' | 'sends'
}

/**
 * `runtimeConfig.public.<key>`, the base the app's REST calls start their URLs with
 * (`${config.public.apiBase}/chat/rooms`), when it stands for this app's `server/api`: so URLs of
 * the generated routes are built the same way and follow the app when the base is configured.
 */
export interface RestBase {
  key: string
}

export interface ClientModel {
  /** Every script block that uses socket.io-client, in repo order. */
  scripts: ClientScript[]
  plugins: SocketPlugin[]
  /** Events an earlier run kept on Socket.IO (the `socketIO.events` of its stream handles). */
  keptEvents: string[]
  /** Socket.IO calls of the server's events on sockets the analysis does not know (a global `io`, a Nuxt module's): they stay. */
  unrecognised: UnrecognisedSocketCall[]
  /** The runtime-config base the app's REST calls build their URLs from, when it is this app's `server/api`. */
  restBase?: RestBase
}
