import MagicString from 'magic-string'
import { MigrationError } from '../errors.js'
import type { ChangeMeta, EditOptions, TextEdit } from './types.js'

interface StagedEdit extends TextEdit {
  meta: ChangeMeta
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.start === a.end && b.start === b.end) return false
  if (a.start === a.end) return b.start < a.start && a.start < b.end
  if (b.start === b.end) return a.start < b.start && b.start < a.end
  return a.start < b.end && b.start < a.end
}

function contains(outer: TextEdit, inner: TextEdit): boolean {
  return outer.start <= inner.start && inner.end <= outer.end
}

/**
 * The text edits every transform staged against one file's original text, composed with magic-string.
 * Insertions at one position come out in the order they were staged, after a replacement that ends there.
 */
export class FileEdits {
  private readonly edits: StagedEdit[] = []
  private composed: MagicString | undefined

  constructor(
    readonly path: string,
    readonly original: string,
  ) {}

  add(edit: TextEdit, meta: ChangeMeta, options: EditOptions = {}): void {
    const { start, end } = edit
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= this.original.length)) {
      throw new MigrationError(`${meta.transform}: edit [${start}, ${end}) is outside ${this.path} (${this.original.length} characters)`)
    }
    const overlapping = this.edits.filter((staged) => overlaps(staged, edit))
    const clash = overlapping.find((staged) => !options.supersedes || !contains(edit, staged))
    if (clash) {
      throw new MigrationError(
        `conflicting edits of ${this.path}:${this.lineOf(Math.max(start, clash.start))}: ${meta.transform} (${meta.reason}) overlaps an edit of ${clash.meta.transform} (${clash.meta.reason})`,
      )
    }
    for (const superseded of overlapping) this.edits.splice(this.edits.indexOf(superseded), 1)
    this.edits.push({ ...edit, meta })
    this.composed = undefined
  }

  /** True when a staged replacement or removal covers `[start, end)`: the code there is gone or rewritten. */
  covers(start: number, end: number): boolean {
    return this.edits.some((edit) => edit.start < edit.end && edit.start <= start && end <= edit.end)
  }

  /** The whole file with every staged edit. */
  text(): string {
    return this.edits.length === 0 ? this.original : this.magic().toString()
  }

  /**
   * The composed text of `[start, end)` of the original: what that code becomes with the staged edits
   * inside it (insertions at `end` included, at `start` not). A bound inside a replaced range fails loudly.
   */
  slice(start: number, end: number): string {
    if (this.edits.length === 0) return this.original.slice(start, end)
    const inside = this.edits.find((edit) => edit.start < edit.end && ((edit.start < start && start < edit.end) || (edit.start < end && end < edit.end)))
    if (inside) throw new MigrationError(`${this.path}:${this.lineOf(inside.start)}: cannot take the text of a range that ends inside an edit of ${inside.meta.transform}`)
    return this.magic().slice(start, end)
  }

  private magic(): MagicString {
    if (this.composed) return this.composed
    const magic = new MagicString(this.original)
    const byStart = [...this.edits].sort((a, b) => a.start - b.start)
    for (const edit of byStart) {
      if (edit.start === edit.end) continue
      if (edit.text === '') magic.remove(edit.start, edit.end)
      else magic.overwrite(edit.start, edit.end, edit.text)
    }
    // Staging order, so insertions at one position keep it.
    for (const edit of this.edits) if (edit.start === edit.end && edit.text !== '') magic.appendLeft(edit.start, edit.text)
    this.composed = magic
    return magic
  }

  private lineOf(offset: number): number {
    let line = 1
    for (let i = this.original.indexOf('\n'); i !== -1 && i < offset; i = this.original.indexOf('\n', i + 1)) line++
    return line
  }
}
