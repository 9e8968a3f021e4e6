import { writeRepo } from '../helpers/repo.js'
import { analyseServer } from '../../src/analysis/server/index.js'
import type { ServerModel } from '../../src/analysis/server/types.js'
import { defaultConfig } from '../../src/config/types.js'
import type { FollowUpInput } from '../../src/followups.js'
import { loadRepo, type LoadedRepo } from '../../src/project/load.js'

export { writeRepo }

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
