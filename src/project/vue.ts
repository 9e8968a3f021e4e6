import { createRequire } from 'node:module'
import type { parse as ParseSfc } from '@vue/compiler-sfc'

// Loaded with require(): importing this CommonJS package from ESM made Node lex its source for
// export names first, about 50 ms of every run.
const { parse } = createRequire(import.meta.url)('@vue/compiler-sfc') as { parse: typeof ParseSfc }

/** A script block found in an SFC: its code and where it sits in the file text. */
export interface SfcScript {
  content: string
  setup: boolean
  lang: 'ts' | 'js'
  start: number
  end: number
}

export interface SfcParseError {
  message: string
  offset?: number
}

/** The `<script>` and `<script setup>` blocks of a .vue file, in file order. */
export function findSfcScripts(text: string, filename: string): { scripts: SfcScript[]; errors: SfcParseError[] } {
  const { descriptor, errors } = parse(text, { filename, sourceMap: false, ignoreEmpty: false })
  const scripts: SfcScript[] = []
  for (const block of [descriptor.script, descriptor.scriptSetup]) {
    if (!block) continue
    // The line break after `<script>` stays in the SFC, so ts-morph sees code that starts on line 1
    // (an insert at the top then lands after the tag, not on the tag's line).
    const lead = /^\r?\n/.exec(block.content)?.[0].length ?? 0
    scripts.push({
      content: block.content.slice(lead),
      setup: Boolean(block.setup),
      lang: block.lang === 'ts' || block.lang === 'tsx' ? 'ts' : 'js',
      start: block.loc.start.offset + lead,
      end: block.loc.end.offset,
    })
  }
  scripts.sort((a, b) => a.start - b.start)
  return {
    scripts,
    errors: errors.map((error) => {
      const loc = 'loc' in error ? (error.loc as { start?: { offset: number } } | undefined) : undefined
      return { message: error.message, offset: loc?.start?.offset }
    }),
  }
}

/** Virtual path of a block, next to the real file so relative imports resolve the same way. */
export function virtualBlockPath(absPath: string, script: Pick<SfcScript, 'setup' | 'lang'>): string {
  return `${absPath}.${script.setup ? 'setup' : 'script'}.${script.lang}`
}

/** True for a path virtualBlockPath made: a `<script>` block of a `.vue` file. */
export function isVueBlockPath(path: string): boolean {
  return /\.vue\.(?:setup|script)\.\w+$/.test(path)
}
