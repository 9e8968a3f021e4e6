import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { PrefetchMessage, PrefetchResult } from './read-worker.js'

export type { PrefetchResult } from './read-worker.js'

/**
 * Scans and reads the repo on a second thread while the main thread loads ts-morph, TypeScript and
 * the Vue compiler (about 0.4 s that reads no file): on a large repo the two overlap. Resolves to
 * undefined when the worker cannot be used (running from the TypeScript sources, or it failed);
 * `loadRepo` then does the same work itself, with the same result.
 */
export function startPrefetch(dir: string): Promise<PrefetchResult | undefined> {
  const workerFile = fileURLToPath(new URL('./read-worker.js', import.meta.url))
  if (!existsSync(workerFile)) return Promise.resolve(undefined)
  const rootDir = path.resolve(dir)
  return new Promise((resolve) => {
    let worker: Worker
    try {
      worker = new Worker(workerFile, { workerData: { rootDir } })
    } catch {
      resolve(undefined)
      return
    }
    // Never what keeps the process alive: when the run stops early (not a Nuxt app, bad usage), a
    // scan of a large directory must not hold the exit.
    worker.unref()
    worker.once('message', (message: PrefetchMessage) => {
      resolve(message.ok ? { ...message.result, rootDir } : undefined)
      void worker.terminate()
    })
    worker.once('error', () => resolve(undefined))
    worker.once('exit', () => resolve(undefined))
  })
}
