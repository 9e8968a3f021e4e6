/** Replace `[start, end)` of a file's original text with `text`; `start === end` inserts, `text === ''` removes. */
export interface TextEdit {
  start: number
  end: number
  text: string
}

export interface EditOptions {
  /**
   * The edit replaces a range that holds edits staged earlier, and its text already carries them (it was
   * built from `slice`, or it removes that code on purpose): those edits are dropped instead of conflicting.
   */
  supersedes?: boolean
}

/** Who staged a change and why; shown in dry-run headers and the JSON report. */
export interface ChangeMeta {
  transform: string
  reason: string
}

export type FileChange =
  | { kind: 'create'; path: string; text: string; meta: ChangeMeta[] }
  | { kind: 'update'; path: string; before: string; text: string; meta: ChangeMeta[] }
  | { kind: 'delete'; path: string; before: string; meta: ChangeMeta[] }

export interface DeleteOptions {
  /** Delete the file even though earlier transforms edited it in this run; their edits are dropped with it. */
  supersedeEdits?: boolean
}

export interface DependencyEdits {
  remove: { name: string; meta: ChangeMeta }[]
  add: { name: string; version: string; dev: boolean; meta: ChangeMeta }[]
}

/**
 * Every change a run would make, staged in memory. Dry-run, --patch, --check and apply all render
 * the same ChangeSet. Transforms stage text edits against a file's original text (`edit`), which the
 * ChangeSet composes into each file's final text once; whole files are created, written or deleted.
 * Nothing here changes the ts-morph trees of `unit.scripts[*].sourceFile`: every transform reads
 * them as the analysis did.
 */
export interface ChangeSet {
  /** The text a path will have after the changes staged so far (undefined: absent or deleted). */
  currentText(path: string): string | undefined
  /**
   * Stage an edit of `[start, end)` of the file's original text: the snapshot the analysis read, in
   * whole-file offsets for a .vue file (see `fileRange`). Fails loudly when it overlaps an edit staged
   * earlier, unless `supersedes` and the earlier edits lie inside it.
   */
  edit(path: string, edit: TextEdit, meta: ChangeMeta, options?: EditOptions): void
  /** The composed text of `[start, end)` of the original: that code with the edits staged inside it. */
  slice(path: string, start: number, end: number): string
  /** True when a staged edit replaced or removed `[start, end)` of the original: the code there is gone. */
  isEdited(path: string, start: number, end: number): boolean
  /** Stage a new file. Fails loudly if the path exists with other content or another transform created it differently. */
  create(path: string, text: string, meta: ChangeMeta): void
  /**
   * Stage the full new text of an existing file (or of one created earlier in this run).
   * `basedOn` must be the `currentText(path)` the edit was computed from; a mismatch means two
   * transforms edited the same file without composing, and fails loudly.
   */
  write(path: string, text: string, basedOn: string | undefined, meta: ChangeMeta): void
  /**
   * Stage a deletion. Fails loudly if earlier transforms edited (or created) the file, unless
   * `supersedeEdits`: the deleting transform says those edits only served it and go with the file (their
   * reasons leave the report). A later edit of a deleted file always fails loudly.
   */
  delete(path: string, meta: ChangeMeta, options?: DeleteOptions): void
  /** Remove a dependency from package.json (any section), keeping the file's formatting. */
  removeDependency(name: string, meta: ChangeMeta): void
  /** Add a dependency to package.json (dependencies, or devDependencies when dev). */
  addDependency(name: string, version: string, dev: boolean, meta: ChangeMeta): void
  readonly dependencies: DependencyEdits
}
