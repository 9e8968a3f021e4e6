import type { LoadedRepo } from '../project/load.js'
import { MigrationError } from '../errors.js'
import { replaceUnitText, unitKind, unitText, type LiveUnit } from '../project/unit.js'
import { FileEdits } from './edits.js'
import { editDependencies, listsDependency } from './package-json.js'
import type { ChangeMeta, ChangeSet, DeleteOptions, DependencyEdits, EditOptions, FileChange, TextEdit } from './types.js'

const PACKAGE_JSON = 'package.json'

/** A non-script file staged by a transform; `text` undefined: deleted. */
interface StagedFile {
  text: string | undefined
  meta: ChangeMeta[]
}

function sameMeta(a: ChangeMeta, b: ChangeMeta): boolean {
  return a.transform === b.transform && a.reason === b.reason
}

function addMeta(list: ChangeMeta[], meta: ChangeMeta): void {
  if (!list.some((m) => sameMeta(m, meta))) list.push(meta)
}

/**
 * The in-memory ChangeSet. Text edits of any file are composed per file (`FileEdits`). A whole-file
 * write of a script file (.ts/.js/.vue) is one such edit while its ts-morph tree is untouched, and
 * goes into the tree after a transform not yet on text edits changed it; every other file is staged here.
 */
export class StagedChanges implements ChangeSet {
  readonly dependencies: DependencyEdits = { remove: [], add: [] }
  private readonly files = new Map<string, StagedFile>()
  /** Unit path → its text when deleted (a later ts-morph edit of a deleted file is a conflict). */
  private readonly deletedUnits = new Map<string, string>()
  private readonly unitMeta = new Map<string, ChangeMeta[]>()
  private readonly edits = new Map<string, FileEdits>()
  /** Units written whole: their one text edit is the write, and a later write replaces it. */
  private readonly wholeWrites = new Set<string>()

  constructor(private readonly repo: LoadedRepo) {}

  private unit(path: string): LiveUnit | undefined {
    return unitKind(path) && !this.files.has(path) ? this.repo.liveUnit(path) : undefined
  }

  private baseText(path: string): string | undefined {
    const edits = this.edits.get(path)
    if (edits) return this.editedText(path, edits)
    const staged = this.files.get(path)
    if (staged) return staged.text
    // Reading parses nothing: a file no one parsed has no ts-morph edits, so its text is the one on disk.
    const unit = this.files.has(path) ? undefined : this.repo.units.get(path)
    if (unit) return this.deletedUnits.has(path) ? undefined : unitText(unit)
    return this.repo.readText(path)
  }

  /** A unit's text with its tree edits and its whole-file write, if any (what the plan attributes per transform). */
  writtenUnitText(unit: LiveUnit): string {
    return this.wholeWrites.has(unit.path) ? (this.edits.get(unit.path)?.text() ?? unitText(unit)) : unitText(unit)
  }

  currentText(path: string): string | undefined {
    const text = this.baseText(path)
    return path === PACKAGE_JSON && text !== undefined ? editDependencies(text, this.dependencyChange()) : text
  }

  /** The composed text of a file with text edits; its unit must not have been edited through ts-morph too. */
  private editedText(path: string, edits: FileEdits): string {
    const unit = this.repo.units.get(path)
    if (unit && unitText(unit) !== unit.originalText) {
      throw new MigrationError(`conflicting edits of ${path}: ${edits.metas.map((m) => m.transform).join(', ')} staged text edits, and a transform edited its ts-morph tree`)
    }
    return edits.text()
  }

  edit(path: string, edit: TextEdit, meta: ChangeMeta, options?: EditOptions): void {
    let edits = this.edits.get(path)
    if (!edits) {
      if (this.files.has(path) || this.deletedUnits.has(path)) {
        throw new MigrationError(`${meta.transform}: cannot edit ${path}: another transform ${this.files.get(path)?.text === undefined ? 'deleted' : 'rewrote'} it`)
      }
      const unit = this.repo.liveUnit(path)
      const original = unit ? unit.originalText : this.repo.readText(path)
      if (original === undefined) throw new MigrationError(`${meta.transform}: cannot edit ${path}: no such file`)
      if (unit && unitText(unit) !== original) throw new MigrationError(`${meta.transform}: cannot edit ${path}: another transform edited its ts-morph tree`)
      this.edits.set(path, (edits = new FileEdits(path, original)))
    }
    edits.add(edit, meta, options)
    addMeta(this.metaOf(path), meta)
  }

  slice(path: string, start: number, end: number): string {
    const edits = this.edits.get(path)
    if (edits) return edits.slice(start, end)
    const text = this.repo.units.get(path)?.originalText ?? this.repo.readText(path)
    if (text === undefined) throw new MigrationError(`cannot read ${path}: no such file`)
    return text.slice(start, end)
  }

  isEdited(path: string, start: number, end: number): boolean {
    return this.edits.get(path)?.covers(start, end) ?? false
  }

  create(path: string, text: string, meta: ChangeMeta): void {
    const current = this.currentText(path)
    if (current === text) {
      // Already there with this content (a second run, or two transforms agreeing): nothing to change.
      addMeta(this.metaOf(path), meta)
      return
    }
    if (current !== undefined) throw new MigrationError(`${meta.transform}: cannot create ${path}: the file exists with other content`)
    if (this.repo.exists(path) && !this.isDeleted(path)) {
      throw new MigrationError(`${meta.transform}: cannot create ${path}: something that is not a readable text file is there`)
    }
    this.files.set(path, { text, meta: [...(this.files.get(path)?.meta ?? []), meta] })
  }

  write(path: string, text: string, basedOn: string | undefined, meta: ChangeMeta): void {
    const current = this.currentText(path)
    if (current === undefined) throw new MigrationError(`${meta.transform}: cannot write ${path}: the file does not exist (stage it with create)`)
    if (basedOn !== current) {
      throw new MigrationError(
        `${meta.transform}: conflicting edits of ${path}: the edit was computed from text that another transform has changed since`,
      )
    }
    if (text === current) return
    if (this.edits.has(path) && !this.wholeWrites.has(path)) throw new MigrationError(`${meta.transform}: conflicting edits of ${path}: a whole-file write of a file with staged text edits`)
    const unit = this.unit(path)
    if (unit && unitText(unit) === unit.originalText) {
      // Kept as one text edit instead of re-parsing the unit: no later transform reads the new tree,
      // and the re-parse was most of what the client transform cost on a large repo.
      const edits = new FileEdits(path, unit.originalText)
      edits.add({ start: 0, end: unit.originalText.length, text }, meta)
      this.edits.set(path, edits)
      this.wholeWrites.add(path)
    } else if (unit) {
      replaceUnitText(this.repo.project, unit, text)
      this.repo.reindex(unit)
    } else {
      this.files.set(path, { text, meta: this.files.get(path)?.meta ?? [] })
    }
    addMeta(this.metaOf(path), meta)
  }

  delete(path: string, meta: ChangeMeta, options: DeleteOptions = {}): void {
    const current = this.currentText(path)
    if (current === undefined) throw new MigrationError(`${meta.transform}: cannot delete ${path}: no such file`)
    const unit = this.unit(path)
    const original = unit ? unit.originalText : this.repo.readText(path)
    const edited = current !== original
    if (edited && !options.supersedeEdits) {
      throw new MigrationError(`${meta.transform}: cannot delete ${path}: another transform edits it`)
    }
    // Superseded edits never reach the disk, so their reasons would only mislead the report.
    const kept = edited ? [] : [...((unit ? this.unitMeta.get(path) : this.files.get(path)?.meta) ?? [])]
    addMeta(kept, meta)
    this.edits.delete(path)
    this.wholeWrites.delete(path)
    // A unit keeps the text it is deleted with: `collect` fails if a later ts-morph edit changes it.
    if (unit) {
      this.deletedUnits.set(path, unitText(unit))
      this.unitMeta.set(path, kept)
    } else {
      this.files.set(path, { text: undefined, meta: kept })
    }
  }

  removeDependency(name: string, meta: ChangeMeta): void {
    if (this.dependencies.add.some((dep) => dep.name === name)) {
      throw new MigrationError(`${meta.transform}: ${name} is both added and removed`)
    }
    if (!this.dependencies.remove.some((dep) => dep.name === name)) this.dependencies.remove.push({ name, meta })
  }

  addDependency(name: string, version: string, dev: boolean, meta: ChangeMeta): void {
    if (this.dependencies.remove.some((dep) => dep.name === name)) {
      throw new MigrationError(`${meta.transform}: ${name} is both added and removed`)
    }
    const known = this.dependencies.add.find((dep) => dep.name === name)
    if (known && (known.version !== version || known.dev !== dev)) {
      throw new MigrationError(`${meta.transform}: ${name} is added as ${version} but ${known.meta.transform} adds ${known.version}`)
    }
    if (!known) this.dependencies.add.push({ name, version, dev, meta })
  }

  noteEdit(path: string, meta: ChangeMeta): void {
    addMeta(this.metaOf(path), meta)
  }

  private metaOf(path: string): ChangeMeta[] {
    const staged = this.files.get(path)
    if (staged) return staged.meta
    let list = this.unitMeta.get(path)
    if (!list) this.unitMeta.set(path, (list = []))
    return list
  }

  private isDeleted(path: string): boolean {
    return this.deletedUnits.has(path) || (this.files.has(path) && this.files.get(path)?.text === undefined)
  }

  private dependencyChange(): { remove: string[]; add: { name: string; version: string; dev: boolean }[] } {
    return {
      remove: this.dependencies.remove.map((dep) => dep.name),
      add: this.dependencies.add.map(({ name, version, dev }) => ({ name, version, dev })),
    }
  }

  /** The dependency edits that actually change package.json (the package-manager step acts on these). */
  effectiveDependencies(): DependencyEdits {
    const text = this.repo.readText(PACKAGE_JSON)
    if (text === undefined) return { remove: [], add: [] }
    return {
      remove: this.dependencies.remove.filter((dep) => listsDependency(text, dep.name)),
      add: this.dependencies.add.filter((dep) => editDependencies(text, { remove: [], add: [dep] }) !== text),
    }
  }

  /** Every file change, sorted by path. Files whose text would not change are left out. */
  collect(): FileChange[] {
    const changes: FileChange[] = []
    for (const [path, unit] of this.repo.units) {
      if (this.files.has(path)) continue
      const meta = this.unitMeta.get(path) ?? []
      const deletedText = this.deletedUnits.get(path)
      if (deletedText !== undefined) {
        if (unitText(unit) !== deletedText) throw new MigrationError(`conflicting edits of ${path}: it is deleted but also edited`)
        changes.push({ kind: 'delete', path, before: unit.originalText, meta })
        continue
      }
      const edits = this.edits.get(path)
      const text = edits ? this.editedText(path, edits) : unitText(unit)
      if (text !== unit.originalText) changes.push({ kind: 'update', path, before: unit.originalText, text, meta })
    }
    const paths = new Set([...this.files.keys(), ...[...this.edits.keys()].filter((path) => !this.repo.units.has(path))])
    if (this.dependencies.remove.length + this.dependencies.add.length > 0) paths.add(PACKAGE_JSON)
    for (const path of paths) {
      const before = this.repo.readText(path)
      const text = this.currentText(path)
      const meta = [...(this.files.get(path)?.meta ?? this.unitMeta.get(path) ?? [])]
      if (path === PACKAGE_JSON) {
        for (const dep of [...this.dependencies.remove, ...this.dependencies.add]) addMeta(meta, dep.meta)
      }
      if (text === before) continue
      if (text === undefined) changes.push({ kind: 'delete', path, before: before!, meta })
      else if (before === undefined) changes.push({ kind: 'create', path, text, meta })
      else changes.push({ kind: 'update', path, before, text, meta })
    }
    return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }
}
