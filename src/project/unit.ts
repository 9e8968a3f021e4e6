import type { Project, SourceFile } from 'ts-morph'
import { MigrationError } from '../errors.js'
import type { ScriptBlock, SourceUnit } from './types.js'
import { findSfcScripts, virtualBlockPath } from './vue.js'

export function unitKind(relPath: string): SourceUnit['kind'] | undefined {
  if (/\.vue$/.test(relPath)) return 'vue'
  if (/\.m?ts$/.test(relPath)) return 'ts'
  if (/\.m?js$/.test(relPath)) return 'js'
  return undefined
}

/** Builds the unit for a file's text; ts-morph source files are created in `project`. */
export function createUnit(project: Project, relPath: string, absPath: string, text: string): SourceUnit {
  const kind = unitKind(relPath)
  if (!kind) throw new MigrationError(`${relPath}: not a script file`)
  const unit: SourceUnit = { path: relPath, absPath, kind, originalText: text, scripts: [] }
  unit.scripts = kind === 'vue' ? vueBlocks(project, absPath, text) : [scriptBlock(project, absPath, text, kind)]
  return unit
}

function scriptBlock(project: Project, absPath: string, text: string, kind: 'ts' | 'js'): ScriptBlock {
  // The project's file system serves the repo's snapshot (snapshot-fs.ts), so this parses `text` once.
  const existing = project.addSourceFileAtPathIfExists(absPath)
  const sourceFile = existing?.getFullText() === text ? existing : project.createSourceFile(absPath, text, { overwrite: true })
  return { sourceFile, setup: false, lang: kind, start: 0, end: text.length }
}

/** A block's source file at its virtual path (nothing on disk; overwriting asks the disk first). */
function createVirtualFile(project: Project, virtualPath: string, content: string): SourceFile {
  return project.getSourceFile(virtualPath) ? project.createSourceFile(virtualPath, content, { overwrite: true }) : project.createSourceFile(virtualPath, content)
}

function vueBlocks(project: Project, absPath: string, text: string): ScriptBlock[] {
  return findSfcScripts(text, absPath).scripts.map((script) => ({
    sourceFile: createVirtualFile(project, virtualBlockPath(absPath, script), script.content),
    setup: script.setup,
    lang: script.lang,
    start: script.start,
    end: script.end,
  }))
}
