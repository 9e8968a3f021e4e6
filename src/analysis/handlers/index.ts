import type { AnalysisContext } from '../context.js'
import type { ServerModel } from '../server/types.js'
import type { EventRoute } from '../model.js'
import type { HandlerModel } from './types.js'

export function analyseHandlers(_ctx: AnalysisContext, _server: ServerModel): HandlerModel {
  return { handlers: [] }
}

export function buildEventRoutes(_ctx: AnalysisContext, _handlers: HandlerModel): Map<string, EventRoute> {
  return new Map()
}
