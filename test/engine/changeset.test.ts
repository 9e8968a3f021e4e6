import { afterEach, describe, expect, it } from 'vitest'
import { StagedChanges } from '../../src/changeset/staged.js'
import { loadRepo } from '../../src/project/load.js'
import { writeSocketApp } from '../bad-input/setup.js'
import { tempDir } from '../helpers/cli.js'

const meta = (transform: string) => ({ transform, reason: `${transform} reason` })
let cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups) c()
  cleanups = []
})

function setup(extra: Record<string, string> = {}) {
  const t = tempDir('tsm-cs-')
  cleanups.push(t.cleanup)
  writeSocketApp(t.dir, { 'docs/SOCKET_IO_SETUP.md': '# Socket.IO\n', ...extra })
  const repo = loadRepo(t.dir)
  return { repo, changes: new StagedChanges(repo) }
}

const PLUGIN = 'server/plugins/socket.io.ts'

describe('ChangeSet', () => {
  it('composes a text edit and a later whole-file write of the same file, and leaves its tree as it was read', () => {
    const { repo, changes } = setup()
    const sourceFile = repo.getUnit(PLUGIN)!.scripts[0]!.sourceFile
    const original = sourceFile.getFullText()
    const declaration = sourceFile.getImportDeclarations()[0]!
    changes.edit(PLUGIN, { start: declaration.getStart(), end: declaration.getEnd(), text: '' }, meta('a'))
    const afterEdit = changes.currentText(PLUGIN)!
    expect(afterEdit).not.toContain("from 'socket.io'")
    changes.write(PLUGIN, `// header\n${afterEdit}`, afterEdit, meta('b'))
    expect(changes.currentText(PLUGIN)).toBe(`// header\n${afterEdit}`)
    expect(sourceFile.getFullText()).toBe(original)
    expect(sourceFile.wasForgotten()).toBe(false)
    const [change] = changes.collect()
    expect(change).toMatchObject({ kind: 'update', path: PLUGIN, text: `// header\n${afterEdit}`, meta: [meta('a'), meta('b')] })
  })

  it('fails loudly when a write was computed from stale text', () => {
    const { changes } = setup()
    const original = changes.currentText(PLUGIN)!
    changes.write(PLUGIN, `${original}// a\n`, original, meta('a'))
    expect(() => changes.write(PLUGIN, `${original}// b\n`, original, meta('b'))).toThrow(
      `b: conflicting edits of ${PLUGIN}: the edit was computed from text that another transform has changed since`,
    )
  })

  it('fails loudly when a file is edited and deleted', () => {
    const { changes } = setup()
    changes.edit(PLUGIN, { start: 0, end: 0, text: '// edited\n' }, meta('emits'))
    expect(() => changes.delete(PLUGIN, meta('cleanup'))).toThrow(`cleanup: cannot delete ${PLUGIN}: another transform edits it`)
  })

  it('deletes a file earlier transforms edited when the deleting transform supersedes their edits', () => {
    const { changes } = setup()
    const original = changes.currentText(PLUGIN)!
    changes.edit(PLUGIN, { start: 0, end: 0, text: '// emits rewritten\n' }, meta('emits'))
    changes.delete(PLUGIN, meta('handlers'), { supersedeEdits: true })
    expect(changes.currentText(PLUGIN)).toBeUndefined()
    // The deletion removes the original file; the superseded edit's reason is not reported for it.
    expect(changes.collect()).toEqual([{ kind: 'delete', path: PLUGIN, before: original, meta: [meta('handlers')] }])
  })

  it('supersedes text writes of non-script files too, and still refuses an edit after the deletion', () => {
    const { changes } = setup()
    const md = changes.currentText('docs/SOCKET_IO_SETUP.md')!
    changes.write('docs/SOCKET_IO_SETUP.md', `${md}more\n`, md, meta('docs'))
    changes.delete('docs/SOCKET_IO_SETUP.md', meta('cleanup'), { supersedeEdits: true })
    expect(() => changes.write('docs/SOCKET_IO_SETUP.md', 'x\n', undefined, meta('late'))).toThrow(
      'late: cannot write docs/SOCKET_IO_SETUP.md: the file does not exist (stage it with create)',
    )
    changes.delete(PLUGIN, meta('cleanup'), { supersedeEdits: true })
    expect(() => changes.edit(PLUGIN, { start: 0, end: 0, text: '// edited after the deletion\n' }, meta('late'))).toThrow(
      `late: cannot edit ${PLUGIN}: another transform deleted it`,
    )
  })

  it('keeps the reasons of a plain deletion and drops a file created and superseded in the same run', () => {
    const { changes } = setup()
    const original = changes.currentText(PLUGIN)!
    changes.delete(PLUGIN, meta('handlers'))
    changes.create('server/utils/scratch.ts', 'export {}\n', meta('runtime'))
    expect(() => changes.delete('server/utils/scratch.ts', meta('cleanup'))).toThrow(
      'cleanup: cannot delete server/utils/scratch.ts: another transform edits it',
    )
    changes.delete('server/utils/scratch.ts', meta('cleanup'), { supersedeEdits: true })
    expect(changes.collect()).toEqual([{ kind: 'delete', path: PLUGIN, before: original, meta: [meta('handlers')] }])
  })

  it('fails loudly when a deleted unit is edited or written afterwards', () => {
    const { changes } = setup()
    const original = changes.currentText(PLUGIN)!
    changes.delete(PLUGIN, meta('cleanup'))
    expect(() => changes.edit(PLUGIN, { start: 0, end: 0, text: '// edited later\n' }, meta('late'))).toThrow(`late: cannot edit ${PLUGIN}: another transform deleted it`)
    expect(() => changes.write(PLUGIN, `// written later\n${original}`, original, meta('late'))).toThrow(
      `late: cannot write ${PLUGIN}: the file does not exist (stage it with create)`,
    )
  })

  it('create: the same text twice composes, different text fails, an existing file with other text fails', () => {
    const { changes } = setup()
    changes.create('server/utils/sse.ts', 'export {}\n', meta('a'))
    changes.create('server/utils/sse.ts', 'export {}\n', meta('b'))
    expect(() => changes.create('server/utils/sse.ts', 'export const x = 1\n', meta('c'))).toThrow(
      'c: cannot create server/utils/sse.ts: the file exists with other content',
    )
    expect(() => changes.create(PLUGIN, 'x\n', meta('d'))).toThrow(`d: cannot create ${PLUGIN}: the file exists with other content`)
    expect(changes.collect()).toEqual([{ kind: 'create', path: 'server/utils/sse.ts', text: 'export {}\n', meta: [meta('a'), meta('b')] }])
  })

  it('creating a file that already has exactly that content is no change (second runs)', () => {
    const { changes } = setup({ 'server/utils/sse.ts': 'export {}\n' })
    changes.create('server/utils/sse.ts', 'export {}\n', meta('runtime'))
    expect(changes.collect()).toEqual([])
  })

  it('never emits a change whose text equals the original', () => {
    const { changes } = setup()
    const original = changes.currentText(PLUGIN)!
    changes.write(PLUGIN, `// temporary\n${original}`, original, meta('a'))
    changes.write(PLUGIN, original, `// temporary\n${original}`, meta('a'))
    const md = changes.currentText('docs/SOCKET_IO_SETUP.md')!
    changes.write('docs/SOCKET_IO_SETUP.md', `${md}more\n`, md, meta('a'))
    changes.write('docs/SOCKET_IO_SETUP.md', md, `${md}more\n`, meta('a'))
    expect(changes.collect()).toEqual([])
  })

  it('deletes non-script files and refuses to delete what is not there', () => {
    const { changes } = setup()
    changes.delete('docs/SOCKET_IO_SETUP.md', meta('docs'))
    expect(changes.currentText('docs/SOCKET_IO_SETUP.md')).toBeUndefined()
    expect(() => changes.delete('docs/NOPE.md', meta('docs'))).toThrow('docs: cannot delete docs/NOPE.md: no such file')
    expect(changes.collect()).toEqual([{ kind: 'delete', path: 'docs/SOCKET_IO_SETUP.md', before: '# Socket.IO\n', meta: [meta('docs')] }])
  })

  it('edits package.json dependencies as text, keeping the formatting, and shows them in currentText', () => {
    const { changes } = setup()
    changes.removeDependency('socket.io', meta('deps'))
    changes.removeDependency('socket.io-client', meta('deps'))
    changes.addDependency('ioredis', '^5.4.0', false, meta('runtime'))
    const expected = `{\n  "name": "app",\n  "dependencies": {\n    "ioredis": "^5.4.0",\n    "nuxt": "^4.0.0"\n  }\n}\n`
    expect(changes.currentText('package.json')).toBe(expected)
    expect(changes.effectiveDependencies().remove.map((d) => d.name)).toEqual(['socket.io'])
    expect(changes.collect()).toMatchObject([{ kind: 'update', path: 'package.json', text: expected }])
    expect(() => changes.addDependency('socket.io', '1', false, meta('x'))).toThrow('x: socket.io is both added and removed')
  })
})
