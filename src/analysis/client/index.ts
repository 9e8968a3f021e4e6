import type { AnalysisContext } from '../context.js'
import type { ClientModel } from './types.js'

export function analyseClient(_ctx: AnalysisContext): ClientModel {
  return { files: [] }
}
