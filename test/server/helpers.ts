import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'
import { analyseServer } from '../../src/analysis/server/index.js'
import type { ServerModel } from '../../src/analysis/server/types.js'
import { defaultConfig } from '../../src/config/types.js'
import type { FollowUpInput } from '../../src/followups.js'
import { loadRepo, type LoadedRepo } from '../../src/project/load.js'

const created: string[] = []
afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true })
})

/** A small Nuxt repo on disk (package.json and nuxt.config.ts are added when missing). */
export function writeRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'server-analysis-'))
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

export interface Analysed {
  repo: LoadedRepo
  model: ServerModel
  reports: FollowUpInput[]
}

/** Load a repo written by `writeRepo` and run the server analysis on it. */
export function analyseFiles(files: Record<string, string>): Analysed {
  const repo = loadRepo(writeRepo(files))
  const reports: FollowUpInput[] = []
  const model = analyseServer({ repo, config: defaultConfig, report: (_target, input) => reports.push(input) })
  return { repo, model, reports }
}
