import type { Repo } from '../project/types.js'
import type { MigrationConfig } from '../config/types.js'
import type { FollowUpInput, FollowUpTarget } from '../followups.js'

/** What every part of the analysis gets. `report` records a follow-up attributed to `analysis`. */
export interface AnalysisContext {
  repo: Repo
  config: MigrationConfig
  report(target: FollowUpTarget, followUp: FollowUpInput): void
}
