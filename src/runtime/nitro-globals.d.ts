// Type-checking only (not copied into apps): inside a Nuxt app these are Nitro auto-imports.
declare global {
  const defineNitroPlugin: typeof import('nitropack/runtime')['defineNitroPlugin']
  const useRuntimeConfig: typeof import('nitropack/runtime')['useRuntimeConfig']
}
export {}
