import type { Repo } from './project/types.js'
import type { ChangeSet } from './changeset/types.js'
import type { SocketModel } from './analysis/model.js'
import type { MigrationConfig } from './config/types.js'
import type { FollowUpInput, FollowUpTarget } from './followups.js'
import type { CodeStyle } from './style/types.js'

export type { FollowUpTarget }

export interface TransformContext {
  repo: Repo
  /** The shared analysis. Read it; never re-discover Socket.IO usage in a transform. */
  model: SocketModel
  changes: ChangeSet
  config: MigrationConfig
  /** Record something this transform leaves untouched (warning/security) or drops on purpose (info). Lines are mapped back into .vue files. */
  report(target: FollowUpTarget, followUp: FollowUpInput): void
  /** The code style of a file (quotes, semicolons, indent); for new files, the repo's dominant style. */
  styleOf(path?: string): CodeStyle
  /** Rewrite generated TS in a style (quotes, semicolons, indent). The repo's Prettier, when present, runs later on every changed file. */
  applyStyle(code: string, style: CodeStyle): string
  /** Absolute path of the shipped runtime (`src/runtime` of this package). */
  runtimeDir: string
  verbose(message: string): void
}

export interface Transform {
  /** Stable id for --only / --skip, kebab-case. */
  id: string
  /** One line for --list. */
  title: string
  run(ctx: TransformContext): void | Promise<void>
}
