import { mayUseSocketIO } from './prefilter.js'
import type { Repo } from './types.js'

/**
 * The scanned files whose text can contain `needle`, in scan order. Text that shows a Socket.IO
 * signal (`socket.io`, `getSocketIO`, `WebSocket` ...) only occurs in files the pre-filter passed,
 * and those are all parsed units: a search for such text skips the rest of the repo, which on a
 * large repo is nearly all of it. Any other needle is looked for everywhere.
 */
export function filesThatMayContain(repo: Pick<Repo, 'files' | 'units'>, needles: readonly string[]): readonly string[] {
  if (needles.length > 0 && needles.every(mayUseSocketIO)) return repo.files.filter((file) => repo.units.has(file))
  return repo.files
}
