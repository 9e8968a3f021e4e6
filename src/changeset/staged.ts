import type { LoadedRepo } from '../project/load.js'
import { MigrationError } from '../errors.js'
import type { SourceUnit } from '../project/types.js'
import { unitKind } from '../project/unit.js'
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
 * The in-memory ChangeSet. Text edits of any file are composed per file (`FileEdits`); a whole-file
 * write of a script file (.ts/.js/.vue) is one more edit, of its whole text, so the ts-morph trees
 * stay as the analysis read them. Other files written, created or deleted are staged whole.
 */
export class StagedChanges implements ChangeSet {
  readonly dependencies: DependencyEdits = { remove: [], add: [] }
  private readonly files = new Map<string, StagedFile>()
  private readonly deletedUnits = new Set<string>()
  private readonly unitMeta = new Map<string, ChangeMeta[]>()
  private readonly edits = new Map<string, FileEdits>()

  constructor(private readonly repo: LoadedRepo) {}

  private unit(path: string): SourceUnit | undefined {
    return unitKind(path) && !this.files.has(path) ? this.repo.getUnit(path) : undefined
  }

  private baseText(path: string): string | undefined {
    const edits = this.edits.get(path)
    if (edits) return edits.text()
    const staged = this.files.get(path)
    if (staged) return staged.text
    // Reading parses nothing: a file no one parsed has the text on disk.
    if (this.deletedUnits.has(path)) return undefined
    return this.repo.units.get(path)?.originalText ?? this.repo.readText(path)
  }

  currentText(path: string): string | undefined {
    const text = this.baseText(path)
    return path === PACKAGE_JSON && text !== undefined ? editDependencies(text, this.dependencyChange()) : text
  }

  edit(path: string, edit: TextEdit, meta: ChangeMeta, options?: EditOptions): void {
    let edits = this.edits.get(path)
    if (!edits) {
      if (this.files.has(path) || this.deletedUnits.has(path)) {
        throw new MigrationError(`${meta.transform}: cannot edit ${path}: another transform ${this.files.get(path)?.text === undefined ? 'deleted' : 'rewrote'} it`)
      }
      const unit = this.repo.getUnit(path)
      const original = unit ? unit.originalText : this.repo.readText(path)
      if (original === undefined) throw new MigrationError(`${meta.transform}: cannot edit ${path}: no such file`)
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
    if (this.unit(path)) {
      // `basedOn` is the current text, so the new text carries every edit staged so far (insertions at its edges too).
      this.edits.delete(path)
      this.edit(path, { start: 0, end: this.repo.units.get(path)!.originalText.length, text }, meta)
      return
    }
    if (this.edits.has(path)) throw new MigrationError(`${meta.transform}: conflicting edits of ${path}: a whole-file write of a file with staged text edits`)
    this.files.set(path, { text, meta: this.files.get(path)?.meta ?? [] })
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
    if (unit) {
      this.deletedUnits.add(path)
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
      if (this.deletedUnits.has(path)) {
        changes.push({ kind: 'delete', path, before: unit.originalText, meta })
        continue
      }
      const text = this.edits.get(path)?.text() ?? unit.originalText
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
