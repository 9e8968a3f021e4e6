import { defineEventHandler, setHeader } from 'h3'
import { useSSERuntime } from '../../../sse/runtime'
import { createTicket, ticketSecret } from '../../../sse/ticket'
import { authenticateSSE } from '../../../utils/sse-hooks'

/** Trade the app's credentials for a short-lived signed ticket that `EventSource` can put in its URL. */
export default defineEventHandler(async (event) => {
  const user = await authenticateSSE(event)
  const { config } = useSSERuntime()
  setHeader(event, 'Cache-Control', 'no-store')
  return createTicket(user, config.ticketTtlMs, ticketSecret(config.ticketSecret))
})
