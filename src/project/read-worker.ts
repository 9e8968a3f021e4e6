import path from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
import { textFacts, type TextFacts } from './candidates.js'
import { readContent } from './content.js'
import { createScanner, scanSourcesAndDocs } from './scan.js'

/** What the worker sends back: the scan, every file's content and the text facts of the UTF-8 ones. */
export interface PrefetchResult {
  /** The absolute directory that was scanned. */
  rootDir?: string
  files: string[]
  symlinks: string[]
  /** The repo's Markdown files (`DOC_PATTERN`), listed by the same walk. */
  docs?: string[]
  /** Per file: its text when UTF-8, its bytes when not, null when it could not be read. */
  contents: (string | Uint8Array | null)[]
  facts: (TextFacts | null)[]
}

export type PrefetchMessage = { ok: true; result: PrefetchResult } | { ok: false; message: string }

/** Scans and reads the repo the way `loadRepo` does, off the main thread (see prefetch.ts). */
function prefetch(rootDir: string): PrefetchResult {
  const { files, symlinks, docs } = scanSourcesAndDocs(createScanner(rootDir))
  const contents: PrefetchResult['contents'] = []
  const facts: PrefetchResult['facts'] = []
  for (const file of files) {
    const content = readContent(path.join(rootDir, file))
    contents.push(typeof content === 'string' || content === null ? content : new Uint8Array(content))
    facts.push(typeof content === 'string' ? textFacts(content) : null)
  }
  return { files, symlinks, docs, contents, facts }
}

const { rootDir } = workerData as { rootDir: string }
let message: PrefetchMessage
try {
  message = { ok: true, result: prefetch(rootDir) }
} catch (error) {
  message = { ok: false, message: (error as Error).message }
}
parentPort!.postMessage(message)
