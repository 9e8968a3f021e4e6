import { afterEach, describe, expect, it } from 'vitest'
import { Node } from 'ts-morph'
import { StagedChanges } from '../../src/changeset/staged.js'
import { fileRange } from '../../src/changeset/ranges.js'
import { loadRepo } from '../../src/project/load.js'
import { writeSocketApp } from '../bad-input/setup.js'
import { tempDir } from '../helpers/cli.js'

const meta = (transform: string) => ({ transform, reason: `${transform} reason` })
let cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups) c()
  cleanups = []
})

const FILE = 'server/api/notify.post.ts'
const SOURCE = `export default defineEventHandler(async (event) => {
  const io = useNitroApp().io
  io.to(\`user:\${id}\`).emit('notification', { id })
  return { ok: true }
})
`
const COMPONENT = `<template>
  <p>{{ count }}</p>
</template>

<script setup lang="ts">
const socket = useSocket()
socket.emit('ping')
</script>
`

function setup() {
  const t = tempDir('tsm-edits-')
  cleanups.push(t.cleanup)
  writeSocketApp(t.dir, { [FILE]: SOURCE, 'app/components/Counter.vue': COMPONENT, 'README.md': '# app\n' })
  const repo = loadRepo(t.dir)
  return { repo, changes: new StagedChanges(repo) }
}

const at = (text: string, needle: string) => {
  const index = SOURCE.indexOf(text)
  return { start: index + text.indexOf(needle), end: index + text.indexOf(needle) + needle.length }
}

describe('text edits in the ChangeSet', () => {
  it('composes the edits of several transforms against the original text and collects the file once', () => {
    const { changes } = setup()
    const alias = at('  const io = useNitroApp().io\n', '  const io = useNitroApp().io\n')
    const call = at("io.to(`user:${id}`).emit('notification', { id })", "io.to(`user:${id}`).emit('notification', { id })")
    changes.edit(FILE, { ...call, text: "emitToUser(id, 'notification', { id })" }, meta('emits'))
    changes.edit(FILE, { ...alias, text: '' }, meta('cleanup'))
    changes.edit(FILE, { start: 0, end: 0, text: "import { emitToUser } from '../utils/sse'\n\n" }, meta('imports'))
    const expected = `import { emitToUser } from '../utils/sse'\n\nexport default defineEventHandler(async (event) => {\n  emitToUser(id, 'notification', { id })\n  return { ok: true }\n})\n`
    expect(changes.currentText(FILE)).toBe(expected)
    expect(changes.collect()).toEqual([
      { kind: 'update', path: FILE, before: SOURCE, text: expected, meta: [meta('emits'), meta('cleanup'), meta('imports')] },
    ])
  })

  it('keeps insertions at one position in the order they were staged, after a replacement that ends there', () => {
    const { changes } = setup()
    const name = at('const io = useNitroApp().io', 'io')
    changes.edit(FILE, { start: name.end, end: name.end, text: ' /* a */' }, meta('a'))
    changes.edit(FILE, { ...name, text: 'server' }, meta('b'))
    changes.edit(FILE, { start: name.end, end: name.end, text: ' /* c */' }, meta('c'))
    expect(changes.currentText(FILE)).toContain('const server /* a */ /* c */ = useNitroApp().io')
  })

  it('fails loudly, naming both transforms and the line, on overlapping edits', () => {
    const { changes } = setup()
    const call = at("io.to(`user:${id}`).emit('notification', { id })", "io.to(`user:${id}`).emit('notification', { id })")
    changes.edit(FILE, { ...call, text: 'broadcast()' }, meta('server-emits'))
    const receiver = { start: call.start, end: call.start + 2 }
    expect(() => changes.edit(FILE, { ...receiver, text: 'server' }, meta('rename'))).toThrow(
      `conflicting edits of ${FILE}:3: rename (rename reason) overlaps an edit of server-emits (server-emits reason)`,
    )
    // An insertion strictly inside a replaced range overlaps it too; one at its edge does not.
    expect(() => changes.edit(FILE, { start: call.start + 3, end: call.start + 3, text: 'x' }, meta('insert'))).toThrow(/overlaps an edit of server-emits/)
    changes.edit(FILE, { start: call.end, end: call.end, text: ';' }, meta('insert'))
    expect(changes.currentText(FILE)).toContain('  broadcast();\n')
  })

  it('lets an edit that declares it supersedes the edits inside its range replace them, and no other', () => {
    const { changes } = setup()
    const call = at("io.to(`user:${id}`).emit('notification', { id })", "io.to(`user:${id}`).emit('notification', { id })")
    const data = at("io.to(`user:${id}`).emit('notification', { id })", '{ id }')
    changes.edit(FILE, { ...data, text: '{ userId: id }' }, meta('inner'))
    const rewritten = `emitToUser(id, 'notification', ${changes.slice(FILE, data.start, data.end)})`
    changes.edit(FILE, { ...call, text: rewritten }, meta('outer'), { supersedes: true })
    expect(changes.currentText(FILE)).toContain("  emitToUser(id, 'notification', { userId: id })\n")
    // Superseding does not reach past its own range.
    const line = at("  io.to(`user:${id}`).emit('notification', { id })\n  return", "emit('notification', { id })\n  return")
    expect(() => changes.edit(FILE, { ...line, text: '' }, meta('late'), { supersedes: true })).toThrow(/late \(late reason\) overlaps an edit of outer/)
  })

  it('gives the composed text of a range, with the edits inside it, for code that moves', () => {
    const { changes } = setup()
    const body = at("  io.to(`user:${id}`).emit('notification', { id })\n  return { ok: true }", "io.to(`user:${id}`).emit('notification', { id })\n  return { ok: true }")
    const call = at("io.to(`user:${id}`).emit('notification', { id })", "io.to(`user:${id}`).emit('notification', { id })")
    expect(changes.slice(FILE, body.start, body.end)).toBe("io.to(`user:${id}`).emit('notification', { id })\n  return { ok: true }")
    changes.edit(FILE, { ...call, text: "emitToUser(id, 'notification', { id })" }, meta('emits'))
    expect(changes.slice(FILE, body.start, body.end)).toBe("emitToUser(id, 'notification', { id })\n  return { ok: true }")
    expect(changes.isEdited(FILE, call.start, call.start + 2)).toBe(true)
    expect(changes.isEdited(FILE, body.start, body.end)).toBe(false)
    expect(() => changes.slice(FILE, call.start + 3, body.end)).toThrow(/ends inside an edit of emits/)
  })

  it('maps a node of a .vue script block to offsets in the whole file', () => {
    const { repo, changes } = setup()
    const path = 'app/components/Counter.vue'
    const block = repo.getUnit(path)!.scripts[0]!.sourceFile
    const call = block.getDescendants().find((node) => Node.isCallExpression(node) && node.getText() === "socket.emit('ping')")!
    const range = fileRange(repo, call)
    expect(COMPONENT.slice(range.start, range.end)).toBe("socket.emit('ping')")
    changes.edit(path, { ...range, text: "post('/api/ping')" }, meta('client'))
    expect(changes.currentText(path)).toBe(COMPONENT.replace("socket.emit('ping')", "post('/api/ping')"))
  })

  it('stages edits of any file kind; a whole-file write of a script is one more edit, of another file a conflict', () => {
    const { repo, changes } = setup()
    changes.edit('README.md', { start: 2, end: 5, text: 'chat app' }, meta('docs'))
    expect(() => changes.write('README.md', '# x\n', changes.currentText('README.md'), meta('late'))).toThrow(
      'late: conflicting edits of README.md: a whole-file write of a file with staged text edits',
    )
    changes.edit(FILE, { start: 0, end: 0, text: '// migrated\n' }, meta('emits'))
    const edited = changes.currentText(FILE)!
    changes.write(FILE, `${edited}// written\n`, edited, meta('handlers'))
    const original = repo.getUnit(FILE)!.originalText
    expect(repo.getUnit(FILE)!.scripts[0]!.sourceFile.getFullText()).toBe(original)
    expect(changes.collect().find((change) => change.path === FILE)).toEqual({ kind: 'update', path: FILE, before: original, text: `// migrated\n${original}// written\n`, meta: [meta('emits'), meta('handlers')] })
  })

  it('drops the staged edits of a file that a later transform deletes with supersedeEdits', () => {
    const { changes } = setup()
    changes.edit(FILE, { start: 0, end: 0, text: '// migrated\n' }, meta('emits'))
    expect(() => changes.delete(FILE, meta('handlers'))).toThrow(`handlers: cannot delete ${FILE}: another transform edits it`)
    changes.delete(FILE, meta('handlers'), { supersedeEdits: true })
    expect(changes.collect()).toEqual([{ kind: 'delete', path: FILE, before: SOURCE, meta: [meta('handlers')] }])
    expect(() => changes.edit(FILE, { start: 0, end: 0, text: 'x' }, meta('late'))).toThrow(`late: cannot edit ${FILE}: another transform deleted it`)
  })
})
