import { execa } from 'execa'
import { describe, expect, it } from 'vitest'

/**
 * The project and the runtime it installs into users' apps are type-checked as part of the suite:
 * the runtime has its own tsconfig (extensionless imports, as Nuxt apps write them, and DOM types).
 */
describe('type-check', () => {
  for (const [name, project] of [
    ['tool, transforms and tests', 'tsconfig.json'],
    ['shipped SSE runtime and its tests', 'src/runtime/tsconfig.json'],
  ] as const) {
    it(`${name} (${project}) has no type errors`, async () => {
      const result = await execa(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--noEmit'], { reject: false })
      expect(result.stdout + result.stderr).toBe('')
      expect(result.exitCode).toBe(0)
    }, 240_000)
  }
})
