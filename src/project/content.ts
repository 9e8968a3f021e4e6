import { isUtf8 } from 'node:buffer'
import { readFileSync } from 'node:fs'

/** A file's bytes as text, or undefined when they are not UTF-8. The BOM, if any, is kept. */
export function decodeUtf8(bytes: Buffer): string | undefined {
  return isUtf8(bytes) ? bytes.toString('utf8') : undefined
}

/**
 * What a file holds as the engine keeps it: its text when UTF-8, its bytes when not, null when it
 * cannot be read. Used by the main thread and by the read worker alike (no ts-morph here).
 */
export function readContent(absPath: string): string | Buffer | null {
  try {
    const bytes = readFileSync(absPath)
    return decodeUtf8(bytes) ?? bytes
  } catch {
    return null
  }
}
