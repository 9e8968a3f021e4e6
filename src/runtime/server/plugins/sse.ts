import { closeSSE, configureSSE, type SSEConfig } from '../utils/sse'

/** Hands `runtimeConfig.sse` to the SSE runtime and closes every stream when the server shuts down. */
export default defineNitroPlugin((nitroApp) => {
  configureSSE(useRuntimeConfig().sse as Partial<SSEConfig> | undefined)
  nitroApp.hooks.hook('close', () => closeSSE())
})
