import { existsSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { CheckRequest, CheckResult, ProgramChecker } from './program-checker.js'
import type { TypeCheckReply } from './type-worker.js'

/** Where a check ran, for `--verbose`. */
export type CheckedOn = 'a worker thread' | 'the main thread'

interface Pending {
  resolve(result: CheckResult): void
  reject(error: Error): void
}

/**
 * The type check's own thread. Started when the run starts, it loads TypeScript, parses and binds the
 * lib and warms the checker up while the main thread loads the repo, analyses it and runs the
 * transforms; the check itself then costs the main thread only the wait for the app's files to be
 * checked, by a checker whose code is already compiled.
 */
class TypeCheckThread {
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  failed = false

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: TypeCheckReply) => {
      const pending = this.pending.get(reply.id)
      if (!pending) return
      this.settle(reply.id)
      if (reply.ok) pending.resolve(reply.result)
      else pending.reject(new Error(reply.message))
    })
    const fail = (error: Error) => {
      this.failed = true
      for (const [id, pending] of this.pending) {
        this.settle(id)
        pending.reject(error)
      }
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`the type-check thread exited (code ${code})`)))
    // Never what keeps the process alive: a run that needs no check, or stops before its verify
    // stage, exits at once. Held only while a check is awaited. After the listeners: adding one
    // holds the thread again.
    worker.unref()
  }

  check(request: CheckRequest): Promise<CheckResult> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.ref()
      try {
        this.worker.postMessage({ id, request })
      } catch (error) {
        this.settle(id)
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    })
  }

  private settle(id: number): void {
    this.pending.delete(id)
    if (this.pending.size === 0) this.worker.unref()
  }
}

let thread: TypeCheckThread | undefined
let local: ProgramChecker | undefined

/**
 * A core the thread can have to itself. The thread loads TypeScript a second time (about half a
 * second of CPU) to save the main thread about a third of the check: worth it beside an idle core,
 * a loss on a machine that is busy already, where the main thread checks alone.
 */
function hasIdleCore(): boolean {
  const cores = availableParallelism()
  return cores >= 2 && (loadavg()[0] ?? 0) <= cores - 1
}

/**
 * Starts the type check's thread once per process, when a core is idle for it (`evenWhenBusy`:
 * whatever the load, for tests of the thread itself). Without the built worker (running from the
 * TypeScript sources), on a busy machine or when a thread cannot start, checks run on the main
 * thread: same code, same results.
 */
export function startTypeCheckThread(options: { evenWhenBusy?: boolean } = {}): void {
  if (thread || (!options.evenWhenBusy && !hasIdleCore())) return
  const workerFile = fileURLToPath(new URL('./type-worker.js', import.meta.url))
  if (!existsSync(workerFile)) return
  try {
    thread = new TypeCheckThread(new Worker(workerFile))
  } catch {
    thread = undefined
  }
}

/** Runs one check on the thread when there is one that works, else here. */
export async function checkProgram(request: CheckRequest): Promise<{ result: CheckResult; on: CheckedOn }> {
  if (thread && !thread.failed) {
    try {
      return { result: await thread.check(request), on: 'a worker thread' }
    } catch {
      // The same check here: `continues` only saves work, the result never depends on it.
    }
  }
  if (!local) {
    const { ProgramChecker } = await import('./program-checker.js')
    local = new ProgramChecker()
  }
  return { result: local.check(request), on: 'the main thread' }
}
