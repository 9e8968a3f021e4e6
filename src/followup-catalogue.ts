/**
 * `warning`: open work, makes --check fail; `security`: open work with a security impact; `error`:
 * what the tool wrote for this part would not have run, so it was withdrawn and the part stays as it
 * was (a defect of the tool, to report); `info`: done on purpose and only listed (e.g. a dropped
 * `ping` handler).
 */
export type FollowUpSeverity = 'warning' | 'security' | 'error' | 'info'

export interface FollowUpKindEntry {
  /**
   * The kind's one severity; or, for a kind whose weight depends on the case it reports, each
   * severity it can have with the case it is for (the reporting code then names one).
   */
  severity: FollowUpSeverity | { readonly [S in FollowUpSeverity]?: string }
  /** One line: what the tool found or did. */
  meaning: string
  /** One line: what the user does about it, whatever the place. */
  todo: string
}

/**
 * Every kind of follow-up the tool reports, by its stable id. The README lists them (a test keeps
 * both the same), and a test fails on an entry no code reports.
 */
export const FOLLOW_UP_CATALOGUE = {
  'input/not-utf8': {
    severity: 'warning',
    meaning: 'a file is not valid UTF-8, so it was neither analysed nor changed',
    todo: 'convert it to UTF-8 and run the tool again, or migrate it by hand',
  },

  'emit/kept-on-socket-io': {
    severity: 'warning',
    meaning: 'a server emit stays on Socket.IO because code it depends on could not move',
    todo: 'make that code migratable (see its follow-ups), then run the migration again',
  },
  'emit/name-conflict': {
    severity: 'warning',
    meaning: 'the file declares a name of an SSE emit helper, which would hide it, so the emit was not rewritten',
    todo: 'rename the local declaration, then use the SSE helper',
  },
  'emit/no-event': {
    severity: 'warning',
    meaning: 'an emit without an event name',
    todo: 'rewrite it by hand with an SSE emit helper',
  },
  'emit/ack-callback': {
    severity: 'warning',
    meaning: 'an emit passes an acknowledgement callback, which SSE clients cannot answer',
    todo: 'let clients confirm through a REST call, or drop the callback and use an SSE emit helper',
  },
  'emit/timeout-ack': {
    severity: 'warning',
    meaning: '`timeout().emit(…, callback)` waits for acknowledgements, which SSE clients cannot send',
    todo: 'let clients confirm through a REST call, or drop the acknowledgement and use an SSE emit helper',
  },
  'emit/multiple-arguments': {
    severity: 'warning',
    meaning: 'an emit sends several data arguments; an SSE event carries one',
    todo: 'combine them into one object, update the client listener, and use an SSE emit helper',
  },
  'emit/local': {
    severity: 'warning',
    meaning: '`io.local` reaches only this instance; the SSE runtime delivers to every instance',
    todo: 'decide whether every instance should get the event, then use an SSE emit helper',
  },
  'emit/namespace': {
    severity: 'warning',
    meaning: 'an emit to a Socket.IO namespace other than `/`; the SSE runtime has channels, not namespaces',
    todo: 'map the namespace to channels and subscribe clients to them',
  },
  'emit/ambiguous-rooms': {
    severity: 'warning',
    meaning: 'a union of rooms where one expression may be a room or a list, so the tool cannot combine them',
    todo: 'call emitToChannel([...]) with every channel listed, or one SSE emit per target',
  },
  'emit/except-room': {
    severity: 'warning',
    meaning: '`.except()` excludes a room; the SSE runtime can only exclude connection ids',
    todo: 'filter the recipients yourself, or exclude the sender\'s connection id',
  },
  'emit/emitWithAck': {
    severity: 'warning',
    meaning: '`emitWithAck` waits for answers from clients, which SSE clients cannot send',
    todo: 'let clients confirm through a REST call, or drop the acknowledgement and use an SSE emit helper',
  },
  'emit/fetchSockets': {
    severity: 'warning',
    meaning: '`fetchSockets` asks Socket.IO which connections are live; SSE connections are the runtime\'s',
    todo: 'keep your own presence list (e.g. in Redis) if you need to know who is online',
  },
  'emit/socketsJoin': {
    severity: 'warning',
    meaning: '`socketsJoin` moves live Socket.IO connections into rooms',
    todo: 'subscribe the SSE connections with subscribe(), or join at connection time in channelsForConnection()',
  },
  'emit/socketsLeave': {
    severity: 'warning',
    meaning: '`socketsLeave` moves live Socket.IO connections out of rooms',
    todo: 'unsubscribe the SSE connections with unsubscribe()',
  },
  'emit/disconnectSockets': {
    severity: 'warning',
    meaning: '`disconnectSockets` closes live Socket.IO connections',
    todo: 'close the users\' SSE streams with closeUserStreams() (or let their tokens expire)',
  },
  'emit/serverSideEmit': {
    severity: 'warning',
    meaning: '`serverSideEmit` talks to the other Socket.IO servers, which the SSE runtime has no counterpart of',
    todo: 'rewrite it by hand with the SSE runtime (server/utils/sse)',
  },
  'emit/except-stored-id': {
    severity: 'warning',
    meaning: 'an emit excludes an id the app stored earlier, which must now be an SSE connection id',
    todo: 'store the client\'s SSE connectionId where this id is saved',
  },
  'emit/renamed-room-prefix': {
    severity: 'warning',
    meaning: 'a room name built elsewhere may still carry a configured prefix the runtime renames',
    todo: 'build the name with roomChannel(id) / userChannel(id), or use emitToRoom / emitToUser here',
  },
  'emit/volatile-delivered': {
    severity: 'info',
    meaning: 'a `volatile` emit now always delivers, and replays after a reconnect',
    todo: 'check that delivering every event is fine here (e.g. high-rate cursor or presence updates)',
  },
  'emit/reserved-event-renamed': {
    severity: 'info',
    meaning: 'an event named like one the SSE stream sends itself now travels under a new name (server side)',
    todo: 'nothing, unless code outside this app listens for the old name',
  },
  'emit/comment-mentions-socket-io': {
    severity: 'info',
    meaning: 'a comment still describes Socket.IO in a file whose emits now use the SSE runtime',
    todo: 'reword the comment for the SSE helpers',
  },

  'auth/none': {
    severity: 'security',
    meaning: 'the Socket.IO server has no `io.use` auth middleware, so nothing proves who a client is',
    todo: 'implement authenticateSSE in server/utils/sse-hooks.ts with the app\'s real auth',
  },
  'auth/middleware-not-inline': {
    severity: 'security',
    meaning: 'the `io.use` middleware is not an inline `(socket, next) => {…}` function',
    todo: 'write authenticateSSE in server/utils/sse-hooks.ts by hand with the same checks',
  },
  'auth/no-user-id': {
    severity: 'security',
    meaning: 'the middleware stores nothing on the socket that names the user',
    todo: 'write authenticateSSE by hand; it must return the user with an `id`',
  },
  'auth/several-middlewares': {
    severity: 'security',
    meaning: 'a second `io.use` middleware; only the first became authenticateSSE',
    todo: 'merge its checks into authenticateSSE',
  },
  'auth/client-sent-id': {
    severity: 'security',
    meaning: 'the socket code trusts an id the client sends to say who it is; it was not carried over',
    todo: 'authenticate the user in authenticateSSE instead',
  },
  'auth/reused-http-auth': {
    severity: 'info',
    meaning: 'authenticateSSE calls the app\'s own HTTP auth util, the one its API routes use (and that runs the same verification as the middleware, when there is one)',
    todo: 'nothing; token sources and messages are now those of that util',
  },
  'auth/route-uses-http-auth': {
    severity: 'info',
    meaning: 'a generated route needs only the user\'s id, so it authenticates as the app\'s other API routes do',
    todo: 'nothing, unless the middleware\'s lookup also refused users the token alone does not',
  },
  'auth/query-token-dropped': {
    severity: 'info',
    meaning: 'the middleware accepted a token in the handshake query; authenticateSSE reads the Authorization header',
    todo: 'authenticate clients with the header, a cookie or a stream ticket, or set `allowQueryToken`',
  },

  'handlers/connection-not-inline': {
    severity: 'warning',
    meaning: 'the connection handler is not an inline function with a socket parameter and a block body',
    todo: 'move its `socket.on` handlers to POST routes and its joins to channelsForConnection by hand',
  },
  'handlers/not-transplantable': {
    severity: 'warning',
    meaning: 'a handler, the auth or a join uses something a route cannot have, so it stays on Socket.IO',
    todo: 'move this part by hand (a POST route for handlers, server/utils/sse-hooks.ts for auth and joins)',
  },
  'handlers/withdrawn': {
    severity: 'error',
    meaning: 'the route the tool wrote for an event could not have run, so the event stays on Socket.IO',
    todo: 'move it by hand, or report the finding so the tool can move it',
  },
  'handlers/plugin-kept': {
    severity: 'warning',
    meaning: 'the Socket.IO plugin is kept for the parts that could not move; the moved handlers left it',
    todo: 'migrate those parts by hand, then delete the plugin',
  },
  'handlers/unrelated-code': {
    severity: 'warning',
    meaning: 'the Socket.IO plugin holds code unrelated to Socket.IO that would be lost with the file',
    todo: 'move that code to another plugin or util, then delete the file',
  },
  'handlers/existing-route-missing': {
    severity: 'warning',
    meaning: 'the config maps an event to an existing route, but no POST route file serves that URL',
    todo: 'fix `events[…].existing` in the config, or create the route',
  },
  'handlers/route-outside-server': {
    severity: 'warning',
    meaning: 'the route file for an event would not be under the server\'s api or routes directory',
    todo: 'set `routeDir` or `events[…].file` in the config to a path under server/api',
  },
  'handlers/route-exists': {
    severity: 'warning',
    meaning: 'the route file for an event already exists, so the handler was not written there',
    todo: 'check that the file does what the handler did, or set `events[…].file` to another path',
  },
  'handlers/channel-never-joined': {
    severity: 'warning',
    meaning: 'a route emits to channels nothing joins and canSubscribe does not allow, so it reaches nobody',
    todo: 'subscribe the streams that show it and allow those channels in canSubscribe, or remove the emit',
  },
  'handlers/can-subscribe': {
    severity: 'warning',
    meaning: 'a route subscribes to channels canSubscribe allows only when the connection handler joined them, so it may answer 403',
    todo: 'add the handler\'s access check to canSubscribe in server/utils/sse-hooks.ts',
  },
  'handlers/client-chosen-channels': {
    severity: 'security',
    meaning: 'the connection joins what the client asks for in the query string, without an access check',
    todo: 'check access to every channel taken from the query in channelsForConnection',
  },
  'handlers/dropped': {
    severity: 'info',
    meaning: 'a handler was dropped on purpose (a `ping`, `drop` in the config, or a handler by which the client named its own user)',
    todo: 'nothing',
  },
  'handlers/disconnect-dropped': {
    severity: 'info',
    meaning: 'a disconnect handler only logged; the SSE runtime cleans up closed streams itself',
    todo: 'nothing',
  },
  'handlers/disconnect-moved': {
    severity: 'info',
    meaning: 'a disconnect handler\'s code now runs in `connectionClosed` (server/utils/sse-hooks.ts), once per stream that ends, as it ran once per socket',
    todo: 'nothing, unless it should run only when the user\'s last stream ends: then check the user\'s other streams there',
  },
  'handlers/connection-log-dropped': {
    severity: 'info',
    meaning: 'a connection log printed the Socket.IO socket id, which no longer exists',
    todo: 'nothing',
  },
  'handlers/mapped-to-existing': {
    severity: 'info',
    meaning: 'an event now goes to an existing route the config names',
    todo: 'check that the route does everything the handler did',
  },
  'handlers/schema-any': {
    severity: 'info',
    meaning: 'the generated zod schema accepts some payload fields as anything (`z.any()`)',
    todo: 'tighten those fields in the schema at the top of the route',
  },

  'client/unknown-type': {
    severity: 'warning',
    meaning: 'a socket.io-client type has no counterpart on the SSE stream',
    todo: 'replace it by hand with the types of useChatSSE()',
  },
  'client/unknown-use': {
    severity: 'warning',
    meaning: 'socket.io-client is used in a way the tool does not migrate',
    todo: 'rewrite it by hand with useChatSSE()',
  },
  'client/unrecognised-socket': {
    severity: 'warning',
    meaning: 'code uses the server\'s events on a socket the tool does not recognise, so they stay on Socket.IO',
    todo: 'create the socket with `io()` imported from socket.io-client, then run the migration again',
  },
  'client/socket-kept': {
    severity: 'warning',
    meaning: 'the client keeps its socket for the events that stay on Socket.IO',
    todo: 'make that server code migratable (see its follow-ups), then run the migration again',
  },
  'client/socket-stays': {
    severity: 'warning',
    meaning: 'browser code cannot run on the SSE handle, so its socket and every file using it stay on Socket.IO as they were, with their events',
    todo: 'rewrite that code for useChatSSE() (or remove it), then run the migration again',
  },
  'client/unsupported-member': {
    severity: 'warning',
    meaning: 'a member of the socket the SSE stream handle lacks; left as is',
    todo: 'rewrite it by hand with the API of useChatSSE()',
  },
  'client/manager': {
    severity: 'warning',
    meaning: '`socket.io` (the Socket.IO Manager) is used; the SSE stream has no manager',
    todo: 'remove it, or use onOpen/onClose/onError/onReset of useChatSSE()',
  },
  'client/template-use': {
    severity: 'warning',
    meaning: 'a template uses the socket, which the tool does not rewrite in templates',
    todo: 'rewrite it for the stream of useChatSSE()',
  },
  'client/dynamic-event': {
    severity: {
      warning: 'the event name is not a string literal, so the route is unknown',
      info: 'the route is looked up at run time in a table generated over the event→route table',
    },
    meaning: 'an emit whose event name is only known at run time',
    todo: 'check that every event it sends has a route, or call send(url, payload) with each route',
  },
  'client/emit-no-route': {
    severity: 'warning',
    meaning: 'the server never handles a client event, so there is no route to send it to',
    todo: 'remove the emit, or add a server route for the event and call send(url, payload)',
  },
  'client/emit-no-receiver': {
    severity: 'info',
    meaning: 'no server handler received a client event, so Socket.IO dropped its emits; they were removed',
    todo: 'nothing, unless another server handled it: then give it a route',
  },
  'client/emit-dropped': {
    severity: {
      info: 'the emit was removed',
      warning: 'the emit waits for an acknowledgement or its result is used, so it stays',
    },
    meaning: 'an emit of an event the server dropped',
    todo: 'remove the emit, and what waits for its answer, by hand',
  },
  'client/emit-many-args': {
    severity: 'warning',
    meaning: 'an emit with several arguments, while a REST call has one body',
    todo: 'wrap the arguments into one object and read it in the route',
  },
  'client/route-params': {
    severity: 'warning',
    meaning: 'the route of an event needs path parameters the payload does not provide',
    todo: 'build the URL by hand and call send(url, payload)',
  },
  'client/ack-on-success-only': {
    severity: 'info',
    meaning: 'an ack callback now runs only when the request succeeds; failures reach the `error` listeners',
    todo: 'move any failure branch into an `error` listener, or use send() and catch its rejection',
  },
  'client/error-replies': {
    severity: 'info',
    meaning: 'an `error` listener now gets the HTTP errors of the routes that replaced `socket.emit(\'error\', …)`',
    todo: 'nothing, unless an emit that now uses send() relied on it: add a .catch() there',
  },
  'client/listener-never-emitted': {
    severity: 'info',
    meaning: 'a listener of an event no server code emits; kept as it was',
    todo: 'nothing, unless another server sends it; otherwise remove the listeners',
  },
  'client/reserved-event-renamed': {
    severity: 'info',
    meaning: 'an event named like one the SSE stream sends itself now travels under a new name (client side)',
    todo: 'nothing, unless code outside this app sends the old name',
  },
  'client/connect-by-hand': {
    severity: 'warning',
    meaning: 'io() connected on creation, but the stream is created inside an expression, so no connect() could be added',
    todo: 'call connect() on the stream where it should open',
  },
  'client/options-unknown': {
    severity: 'warning',
    meaning: 'the socket options are not an object literal, so their credential could not be carried over',
    todo: 'pass `{ token: () => yourToken }` to useChatSSE() if the app authenticates with a token',
  },
  'client/credential-unknown': {
    severity: 'warning',
    meaning: 'the socket\'s `auth`, `query` or `extraHeaders` is not an object literal, so its credential could not be carried over',
    todo: 'pass `{ token: () => yourToken }` to useChatSSE() if the app authenticates with a token',
  },
  'client/handshake-field-dropped': {
    severity: {
      security: 'the field names a user or an id',
      warning: 'any other field',
    },
    meaning: 'a handshake field other than the token is no longer sent',
    todo: 'derive a trusted value from the authenticated user; join rooms it selected through a route',
  },
  'client/option-dropped': {
    severity: 'info',
    meaning: 'a socket option with no meaning for the SSE stream was dropped',
    todo: 'check that nothing depended on it',
  },
  'client/socket-url-dropped': {
    severity: 'info',
    meaning: 'the socket\'s URL was dropped; the SSE stream is served by this Nuxt app',
    todo: 'nothing if the Socket.IO server was this app; otherwise pass `baseURL` to useChatSSE()',
  },
  'client/rejoin-kept': {
    severity: 'info',
    meaning: 'a join sent each time the stream opens was kept, since it also does the first join',
    todo: 'nothing; remove it only if the server joins these rooms when the stream opens',
  },
  'client/rejoin-removed': {
    severity: 'info',
    meaning: 'a reconnect listener that only re-joined rooms was removed; the runtime restores them on resume',
    todo: 'nothing',
  },
  'client/manager-log-removed': {
    severity: 'info',
    meaning: 'a listener or log line that only printed the Socket.IO manager was removed',
    todo: 'log from onError/onOpen of useChatSSE() if the messages are still wanted',
  },
  'client/disconnect-on-unmount': {
    severity: 'info',
    meaning: 'a disconnect on unmount was removed; the stream handle is released with the component',
    todo: 'nothing',
  },
  'client/socket-io-error-strings': {
    severity: 'warning',
    meaning: 'an error or disconnect handler tests Socket.IO\'s own strings, which the SSE stream never produces',
    todo: 'remove the branch, or test the stream\'s errors (ChatSSEHttpError) and close reasons instead',
  },
  'client/reset-wired': {
    severity: 'info',
    meaning: 'after a reset the tool reloads the state these listeners keep, with the app\'s own loaders',
    todo: 'check that this reloads everything the page shows from the stream',
  },
  'client/reset-not-wired': {
    severity: 'warning',
    meaning: 'nothing reloads the state these listeners keep when the stream cannot replay what it missed',
    todo: 'call onReset(() => …) after the listeners with the code that loads that state',
  },
  'client/comment-mentions-socket-io': {
    severity: 'info',
    meaning: 'a comment in migrated client code still describes Socket.IO',
    todo: 'reword the comment for the SSE stream',
  },

  'io/server-kept': {
    severity: 'warning',
    meaning: 'the Socket.IO server is still created, for uses that remain or code that is not its plumbing',
    todo: 'migrate the remaining uses, move what the file still needs, then delete the Socket.IO server code',
  },
  'io/unmigrated-use': {
    severity: 'warning',
    meaning: 'a use of the Socket.IO server the tool does not migrate',
    todo: 'replace it with the SSE runtime (server/utils/sse) or remove it',
  },
  'io/existence-check': {
    severity: 'info',
    meaning: 'a check whether the Socket.IO server exists, which keeps working while the server stays',
    todo: 'nothing now; it goes with the Socket.IO server',
  },
  'remove/edited-file-kept': {
    severity: 'warning',
    meaning: 'a Socket.IO file to delete was edited by another transform in the same run, so it is kept',
    todo: 'review the edits, then delete the file',
  },
  'remove/websocket-route-kept': {
    severity: 'info',
    meaning: 'a Nitro WebSocket route that does not use Socket.IO is kept',
    todo: 'nothing; delete it yourself if nothing uses it any more',
  },
  'remove/proxy-route-kept': {
    severity: 'info',
    meaning: 'a route that proxies the socket path to another backend is kept',
    todo: 'nothing; delete it yourself if nothing uses it any more',
  },
  'docs/link-to-deleted': {
    severity: 'warning',
    meaning: 'a document links a file the migration deletes',
    todo: 'remove the link, or point it at the SSE runtime\'s README or your own notes',
  },
  'docs/mentions-socket-io': {
    severity: 'info',
    meaning: 'a document describes Socket.IO, which the app no longer uses',
    todo: 'update the text to describe the SSE stream and the chat routes',
  },

  'packages/still-imported': {
    severity: 'warning',
    meaning: 'a Socket.IO package is still imported after the migration, so it stays in package.json',
    todo: 'migrate the remaining use, then remove the package',
  },
  'packages/sse-redis-config': {
    severity: 'warning',
    meaning: 'the SSE runtime\'s Redis broker needs settings in every environment',
    todo: 'set the broker\'s Redis if needed and NUXT_SSE_TICKET_SECRET everywhere; run Redis with appendonly yes',
  },
  'packages/redis-client-unused': {
    severity: 'info',
    meaning: 'the `redis` client only served the Socket.IO adapter; nothing imports it any more',
    todo: 'remove `redis` from package.json if no script or tool needs it',
  },
  'runtime/file-exists': {
    severity: 'warning',
    meaning: 'a file the SSE runtime installs already exists and differs',
    todo: 'merge it by hand with the runtime\'s file (the rest of the runtime imports it)',
  },
  'runtime/logout-keeps-streams': {
    severity: 'security',
    meaning: 'a logout route leaves the user\'s SSE streams and stream tickets usable',
    todo: 'call `await closeUserStreams(userId)` there once the user is known',
  },
  'security/unauthenticated-emit': {
    severity: 'security',
    meaning: 'an API route emits without checking who calls it (the Socket.IO version had the same hole)',
    todo: 'authenticate the request first and check the caller may notify those users',
  },

  'verify/undeclared-name': {
    severity: 'warning',
    meaning: 'kept by --force: written code uses a name nothing declares, imports or auto-imports',
    todo: 'finish this part of the migration by hand, or restore the code it replaced',
  },
  'verify/missing-member': {
    severity: 'warning',
    meaning: 'kept by --force: written code uses a member the useChatSSE() handle lacks',
    todo: 'finish this part of the migration by hand, or restore the code it replaced',
  },
  'verify/type-error': {
    severity: 'warning',
    meaning: 'kept by --force: a changed file, or a file importing one, has a type error it had not before the migration',
    todo: 'finish this part of the migration by hand, or restore the code it replaced',
  },
  'verify/app-prepare': {
    severity: 'warning',
    meaning: '--verify: `nuxi prepare` fails on the migrated copy and passed on the original',
    todo: 'fix it by hand after applying with --force, or report it if the migration wrote this code',
  },
  'verify/app-typecheck': {
    severity: 'warning',
    meaning: '--verify: the migrated copy has a type error the original had not',
    todo: 'fix it by hand after applying with --force, or report it if the migration wrote this code',
  },
  'verify/app-build': {
    severity: 'warning',
    meaning: '--verify: `nuxi build` fails on the migrated copy and passed on the original',
    todo: 'fix it by hand after applying with --force, or report it if the migration wrote this code',
  },
} as const satisfies Record<string, FollowUpKindEntry>

type Catalogue = typeof FOLLOW_UP_CATALOGUE

/** The stable id of a kind of follow-up, e.g. `emit/kept-on-socket-io`, `auth/none`. */
export type FollowUpKind = keyof Catalogue

/** Kinds whose severity the reporting code chooses among the catalogue's cases. */
export type CaseSeverityKind = { [K in FollowUpKind]: Catalogue[K]['severity'] extends FollowUpSeverity ? never : K }[FollowUpKind]

/** The severities a kind can have. */
export type SeverityOf<K extends FollowUpKind> = Catalogue[K]['severity'] extends FollowUpSeverity
  ? Catalogue[K]['severity']
  : keyof Catalogue[K]['severity'] & FollowUpSeverity

/** The severity argument a report of `K` takes: one of its cases for a case-severity kind, none otherwise. */
export type SeverityArgument<K extends FollowUpKind> = K extends CaseSeverityKind ? [severity: SeverityOf<K>] : []

export const FOLLOW_UP_KINDS = Object.keys(FOLLOW_UP_CATALOGUE) as FollowUpKind[]

export function catalogueEntry(kind: FollowUpKind): FollowUpKindEntry {
  return FOLLOW_UP_CATALOGUE[kind]
}
