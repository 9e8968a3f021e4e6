import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'

const created: string[] = []
afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true })
})

/**
 * A small Nuxt repo on disk, removed after the test file: package.json (nuxt + socket.io) and
 * nuxt.config.ts are added unless `files` brings its own.
 */
export function writeRepo(files: Record<string, string>, prefix = 'repo-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  created.push(dir)
  const all: Record<string, string> = {
    'package.json': '{ "name": "app", "dependencies": { "nuxt": "^4.0.0", "socket.io": "^4.8.1" } }\n',
    'nuxt.config.ts': 'export default defineNuxtConfig({})\n',
    ...files,
  }
  for (const [file, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    writeFileSync(path.join(dir, file), text)
  }
  return dir
}
