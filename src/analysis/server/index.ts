import type { AnalysisContext } from '../context.js'
import type { ServerModel } from './types.js'

export function analyseServer(_ctx: AnalysisContext): ServerModel {
  return { sites: [] }
}
