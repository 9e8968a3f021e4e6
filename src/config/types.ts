/** Which SSE helper a room prefix maps to. `` `room:${id}` `` → `emitToRoom(id, ...)`. */
export interface RoomRule {
  /** The literal prefix of the room name, e.g. `room:`, `user:`, `chat_`. */
  prefix: string
  helper: 'emitToRoom' | 'emitToUser'
}

/** Per-event override of the event → REST route table. */
export interface EventRouteConfig {
  /** Generate the route at this repo-relative path instead of the default. */
  file?: string
  /** Point the event at an existing route (URL such as `/api/chat/rooms/:roomId/messages`) instead of generating one. */
  existing?: string
  /** Drop the handler (listed in the report as info). */
  drop?: boolean
}

/** `tutor-sse-migrate.config.json` at the repo root, merged over the defaults, then CLI flags. */
export interface MigrationConfig {
  rooms: RoomRule[]
  /** Directory (repo-relative) for generated client→server routes. Default `server/api/chat`. */
  routeDir: string
  events: Record<string, EventRouteConfig>
  /** Allow `?token=` on the events stream (the user's original plan). Default false: tickets, cookies, Authorization. */
  allowQueryToken: boolean
}

export const defaultConfig: MigrationConfig = {
  rooms: [
    { prefix: 'room:', helper: 'emitToRoom' },
    { prefix: 'user:', helper: 'emitToUser' },
  ],
  routeDir: 'server/api/chat',
  events: {},
  allowQueryToken: false,
}
