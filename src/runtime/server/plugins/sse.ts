import { closeSSE, configureSSE, type SSEConfig } from '../utils/sse'

/**
 * Hands `runtimeConfig.sse` to the SSE runtime and closes every stream on shutdown. Nitro's graceful
 * shutdown waits for open connections (up to NITRO_SHUTDOWN_TIMEOUT, 30 s) before it runs the `close`
 * hook, so open streams would hold every deploy: they are ended as soon as the signal arrives.
 */
export default defineNitroPlugin((nitroApp) => {
  configureSSE(useRuntimeConfig().sse as Partial<SSEConfig> | undefined)
  nitroApp.hooks.hook('close', () => closeSSE())
  if (import.meta.dev || process.env.NITRO_SHUTDOWN_DISABLED) return
  const signals = (process.env.NITRO_SHUTDOWN_SIGNALS || 'SIGTERM SIGINT').split(' ').filter(Boolean) as NodeJS.Signals[]
  for (const signal of signals) {
    process.once(signal, () => {
      void closeSSE().finally(() => {
        // Nobody else handles the signal (a preset without graceful shutdown): keep its default, exiting.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
      })
    })
  }
})
