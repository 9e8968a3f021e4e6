import { Node, SyntaxKind } from 'ts-morph'
import type { AnalysisContext } from '../context.js'
import { eventName } from '../event-name.js'
import { descendantsOfKind } from '../../ast/walk.js'
import type { ClientModel, UnrecognisedSocketCall } from './types.js'
import { nodeLocation } from '../../project/locate.js'

const HEARS = new Set(['on', 'once'])
const SENDS = new Set(['emit', 'emitWithAck'])
/**
 * A socket made in the block without an import: a global `io(...)` (`window.io`, `io.connect`) of a
 * CDN script, or nuxt-socket-io's `$nuxtSocket(...)`. A block without one calls a socket it was
 * handed, or a stream handle of an earlier run, which hears and sends like a socket.
 */
const CREATES_SOCKET = /(?:^|[^\w$.])(?:window\.)?io(?:\.connect)?\s*\(|\$nuxtSocket\s*\(/m
/** Every transport has these; they carry no event of the app. */
const OWN_EVENTS = new Set(['connect', 'disconnect', 'connect_error'])

/**
 * `this.socket.on('shouted', …)` on a socket the block made itself in a way the tool does not
 * follow (a global `io` of a CDN script, a Nuxt module's `$nuxtSocket`). Only calls naming an event the server sends
 * or handles count: that name is what ties them to Socket.IO. Such code stays on Socket.IO, so the
 * server side of its events has to stay too.
 */
export function unrecognisedSocketCalls(ctx: AnalysisContext, client: Pick<ClientModel, 'scripts' | 'keptEvents'>, serverEvents: ReadonlySet<string>): UnrecognisedSocketCall[] {
  const modelled = new Set<Node>(client.scripts.flatMap((script) => script.members.flatMap((use) => (use.call ? [use.call] : []))))
  const serverDir = ctx.repo.layout.serverDir
  const found: UnrecognisedSocketCall[] = []
  for (const unit of ctx.repo.units.values()) {
    if (unit.absPath.startsWith(serverDir + '/')) continue
    for (const block of unit.scripts) {
      const text = block.sourceFile.getFullText()
      if (!/\.(on|once|emit|emitWithAck)\(/.test(text) || !CREATES_SOCKET.test(text)) continue
      for (const call of descendantsOfKind(block.sourceFile, SyntaxKind.CallExpression)) {
        const callee = call.getExpression()
        if (!Node.isPropertyAccessExpression(callee) || modelled.has(call)) continue
        const method = callee.getName()
        const direction = HEARS.has(method) ? 'hears' : SENDS.has(method) ? 'sends' : undefined
        if (!direction) continue
        const event = eventName(call.getArguments()[0])
        // An event an earlier run kept goes through its stream handle, which hears and sends it on the kept socket.
        if (event === undefined || OWN_EVENTS.has(event) || !serverEvents.has(event) || client.keptEvents.includes(event)) continue
        found.push({ call, file: unit.path, line: nodeLocation(ctx.repo, call)?.line ?? call.getStartLineNumber(), event, direction })
      }
    }
  }
  return found
}
