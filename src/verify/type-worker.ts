import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parentPort } from 'node:worker_threads'
import { runtimeDir } from '../runtime-dir.js'
import { ProgramChecker, type CheckRequest, type CheckResult } from './program-checker.js'

export type TypeCheckReply = { id: number; ok: true; result: CheckResult } | { id: number; ok: false; message: string }

/** Code of the kinds the check meets in every migration (a client composable, server streams), to warm the checker on. */
const SAMPLES = ['app/composables/useChatSSE.ts', 'server/sse/stream.ts']

function samples(): Map<string, string> {
  const texts = new Map<string, string>()
  for (const sample of SAMPLES) {
    const file = path.join(runtimeDir, sample)
    try {
      texts.set(`/__tsm_verify__/samples/${sample}`, readFileSync(file, 'utf8'))
    } catch {
      // Warming is an optimisation: a sample that is not there only makes the first check slower.
    }
  }
  return texts
}

const checker = new ProgramChecker()
let asked = false
// Done while the main thread loads, analyses and transforms the repo, so the first check finds the
// lib parsed and bound and the checker's code compiled (see type-thread.ts). One sample per turn of
// the event loop: a check that arrives meanwhile is not kept waiting for the rest.
checker.warm()
const pending = [...samples()]
const warmNext = () => {
  const sample = pending.shift()
  if (!sample || asked) return
  checker.warm(new Map([sample]))
  setImmediate(warmNext)
}
setImmediate(warmNext)

parentPort?.on('message', ({ id, request }: { id: number; request: CheckRequest }) => {
  asked = true
  let reply: TypeCheckReply
  try {
    reply = { id, ok: true, result: checker.check(request) }
  } catch (error) {
    reply = { id, ok: false, message: error instanceof Error ? error.stack ?? error.message : String(error) }
  }
  parentPort!.postMessage(reply)
})
