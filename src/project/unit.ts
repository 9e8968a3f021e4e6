import type { Project, SourceFile } from 'ts-morph'
import { MigrationError } from '../errors.js'
import type { ScriptBlock, SourceUnit } from './types.js'
import { findSfcScripts, spliceBlocks, virtualBlockPath } from './vue.js'
import { replaceFileText } from '../ast/edit.js'

/**
 * A unit as the engine keeps it: for .vue files, `shell` is the file text the block offsets refer to
 * (the original text until a transform replaces the whole file).
 */
export interface LiveUnit extends SourceUnit {
  shell: string
}

export function unitKind(relPath: string): SourceUnit['kind'] | undefined {
  if (/\.vue$/.test(relPath)) return 'vue'
  if (/\.m?ts$/.test(relPath)) return 'ts'
  if (/\.m?js$/.test(relPath)) return 'js'
  return undefined
}

/** The unit's text as it stands now, with every ts-morph edit of its blocks. */
export function unitText(unit: LiveUnit): string {
  if (unit.kind !== 'vue') return unit.scripts[0]?.sourceFile.getFullText() ?? unit.shell
  return spliceBlocks(
    unit.shell,
    unit.scripts.map((block) => ({ start: block.start, end: block.end, content: block.sourceFile.getFullText() })),
  )
}

/** Builds the unit for a file's text; ts-morph source files are created in `project`. */
export function createUnit(project: Project, relPath: string, absPath: string, text: string): LiveUnit {
  const kind = unitKind(relPath)
  if (!kind) throw new MigrationError(`${relPath}: not a script file`)
  const unit: LiveUnit = { path: relPath, absPath, kind, originalText: text, shell: text, scripts: [] }
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

/**
 * Replaces the unit's whole text (a transform staged a full-text write). The same ts-morph source
 * files are kept when the block structure is unchanged so later transforms keep seeing them.
 */
export function replaceUnitText(project: Project, unit: LiveUnit, text: string): void {
  if (unit.kind !== 'vue') {
    const block = unit.scripts[0]
    if (!block) throw new MigrationError(`${unit.path}: unit without a script block`)
    replaceFileText(block.sourceFile, text)
    block.end = text.length
    unit.shell = text
    return
  }
  const scripts = findSfcScripts(text, unit.absPath).scripts
  const sameShape =
    scripts.length === unit.scripts.length &&
    scripts.every((script, i) => script.setup === unit.scripts[i]?.setup && script.lang === unit.scripts[i]?.lang)
  if (sameShape) {
    scripts.forEach((script, i) => {
      const block = unit.scripts[i]!
      replaceFileText(block.sourceFile, script.content)
      block.start = script.start
      block.end = script.end
    })
  } else {
    for (const block of unit.scripts) project.removeSourceFile(block.sourceFile)
    unit.scripts = vueBlocks(project, unit.absPath, text)
  }
  unit.shell = text
}
