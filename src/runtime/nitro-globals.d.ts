// Type-checking only (not copied into apps): inside a Nuxt app Nitro provides these (auto-imports, import.meta.dev).
declare global {
  const defineNitroPlugin: typeof import('nitropack/runtime')['defineNitroPlugin']
  const useRuntimeConfig: typeof import('nitropack/runtime')['useRuntimeConfig']
  interface ImportMeta {
    readonly dev: boolean
  }
}
export {}
