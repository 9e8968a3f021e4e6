import { describe, expect, it } from 'vitest'
import { eventSlug, routeUrlOf } from '../../src/analysis/handlers/event-routes.js'

describe('event → route names', () => {
  it('turns snake-, dot-, camel- and kebab-case event names into one kebab-case path segment', () => {
    expect(['send_message', 'message.sent', 'markRead', 'join-user', 'poll:close', 'typing'].map(eventSlug))
      .toEqual(['send-message', 'message-sent', 'mark-read', 'join-user', 'poll-close', 'typing'])
  })

  it('gives the URL Nitro serves a route file at', () => {
    expect(routeUrlOf('server/api/chat/send-message.post.ts', 'server')).toBe('/api/chat/send-message')
    expect(routeUrlOf('server/api/chat/rooms/[roomId]/messages.post.ts', 'server')).toBe('/api/chat/rooms/:roomId/messages')
    expect(routeUrlOf('server/api/chat/index.post.ts', 'server')).toBe('/api/chat')
    expect(routeUrlOf('server/routes/hooks/typing.ts', 'server')).toBe('/hooks/typing')
    expect(routeUrlOf('src/server/api/x.post.ts', 'src/server')).toBe('/api/x')
    expect(routeUrlOf('server/utils/x.ts', 'server')).toBeUndefined()
  })
})
