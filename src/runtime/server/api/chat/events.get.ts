import { defineEventHandler } from 'h3'
import { handleEventStream } from '../../sse/stream'
import { authenticateSSE, canSubscribe, channelsForConnection } from '../../utils/sse-hooks'

/** The SSE stream: `?ticket=` (from POST /api/chat/events/ticket) or what `authenticateSSE` accepts; resumes with `Last-Event-ID` / `?lastEventId=`. */
export default defineEventHandler((event) => handleEventStream(event, { authenticateSSE, channelsForConnection, canSubscribe }))
