import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** `src/runtime` of this package, from both `src/` (tsx, vitest) and `dist/src/` (the built CLI). */
export const runtimeDir = path.resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  import.meta.url.includes('/dist/') ? '../../src/runtime' : 'runtime',
)
