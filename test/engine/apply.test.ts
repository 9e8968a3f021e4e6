import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { execa } from 'execa'
import { afterEach, describe, expect, it } from 'vitest'
import { applyChanges, JOURNAL_FILE, undoLastApply } from '../../src/changeset/apply.js'
import { renderPatch } from '../../src/changeset/patch.js'
import type { FileChange } from '../../src/changeset/types.js'
import { writeFiles } from '../bad-input/setup.js'
import { tempDir } from '../helpers/cli.js'
import { diffTrees, readTree } from '../helpers/tree.js'

const meta = [{ transform: 't', reason: 'r' }]
let cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups) c()
  cleanups = []
})
function temp(): string {
  const t = tempDir('tsm-apply-')
  cleanups.push(t.cleanup)
  return t.dir
}

const FILES = {
  'a.ts': 'export const a = 1\n',
  'crlf.ts': 'const x = 1\r\nconst y = 2\r\n',
  'no-newline.ts': 'const last = true',
  'docs/SOCKET_IO.md': '# old docs\n',
  'bom.ts': '\uFEFFexport {}\n',
}

const CHANGES: FileChange[] = [
  { kind: 'update', path: 'a.ts', before: FILES['a.ts'], text: 'export const a = 2\n', meta },
  { kind: 'update', path: 'bom.ts', before: FILES['bom.ts'], text: '\uFEFFexport const b = 1\n', meta },
  { kind: 'update', path: 'crlf.ts', before: FILES['crlf.ts'], text: 'const x = 1\r\nconst y = 3\r\n', meta },
  { kind: 'delete', path: 'docs/SOCKET_IO.md', before: FILES['docs/SOCKET_IO.md'], meta },
  { kind: 'update', path: 'no-newline.ts', before: FILES['no-newline.ts'], text: 'const last = false', meta },
  { kind: 'create', path: 'server/utils/sse.ts', text: 'export const sse = true\n', meta },
]

describe('apply, rollback and undo', () => {
  it('applies every change; git apply of the patch gives the same tree', async () => {
    const applied = temp()
    const patched = temp()
    writeFiles(applied, FILES)
    writeFiles(patched, FILES)
    applyChanges(applied, CHANGES)
    expect(readFileSync(path.join(applied, 'server/utils/sse.ts'), 'utf8')).toBe('export const sse = true\n')
    expect(existsSync(path.join(applied, 'docs')), 'a directory emptied by deletions is removed').toBe(false)
    expect(readFileSync(path.join(applied, 'bom.ts'))[0]).toBe(0xef)
    const patchFile = path.join(temp(), 'plan.patch')
    writeFileSync(patchFile, renderPatch(CHANGES))
    const result = await execa('git', ['apply', patchFile], { cwd: patched, reject: false })
    expect(result.exitCode, result.stderr).toBe(0)
    expect(diffTrees(readTree(patched), readTree(applied))).toBe('')
  })

  it('keeps the mode of updated files', () => {
    const root = temp()
    writeFiles(root, FILES)
    chmodSync(path.join(root, 'a.ts'), 0o755)
    applyChanges(root, CHANGES)
    expect(statSync(path.join(root, 'a.ts')).mode & 0o777).toBe(0o755)
  })

  it('restores every file already written, byte for byte, when a later write fails', () => {
    const root = temp()
    writeFiles(root, FILES)
    const before = readTree(root)
    let writes = 0
    expect(() =>
      applyChanges(root, CHANGES, {
        beforeWrite: () => {
          if (++writes === 5) throw new Error('EIO: simulated disk failure')
        },
      }),
    ).toThrow('writing no-newline.ts failed (EIO: simulated disk failure); every file already written was restored, nothing was changed')
    expect(diffTrees(readTree(root), before)).toBe('')
    expect(existsSync(path.join(root, '.tutor-sse-migrate')), 'no journal after a failed apply').toBe(false)
  })

  it('removes created files and the directories made for them when a later write really fails (also as root)', () => {
    const root = temp()
    // `zz` is a regular file, so writing zz/new.ts fails with ENOTDIR even as root (no permissions involved).
    writeFiles(root, { ...FILES, zz: 'not a directory\n' })
    const before = readTree(root)
    const changes: FileChange[] = [
      { kind: 'create', path: 'server/api/chat/new/x.ts', text: 'export const x = 1\n', meta },
      { kind: 'update', path: 'a.ts', before: FILES['a.ts'], text: 'export const a = 2\n', meta },
      { kind: 'create', path: 'zz/new.ts', text: 'export {}\n', meta },
    ]
    let seenBeforeFailingWrite: { created: string; updated: string } | undefined
    expect(() =>
      applyChanges(root, changes, {
        // Observes only: the failure below is a real filesystem error, not an injected one.
        beforeWrite: (change) => {
          if (change.path !== 'zz/new.ts') return
          seenBeforeFailingWrite = {
            created: readFileSync(path.join(root, 'server/api/chat/new/x.ts'), 'utf8'),
            updated: readFileSync(path.join(root, 'a.ts'), 'utf8'),
          }
        },
      }),
    ).toThrow(/^writing zz\/new\.ts failed \(ENOTDIR: .*\); every file already written was restored, nothing was changed$/)
    expect(seenBeforeFailingWrite, 'the created and the changed file were written before the failing write').toEqual({
      created: 'export const x = 1\n',
      updated: 'export const a = 2\n',
    })
    expect(diffTrees(readTree(root), before)).toBe('')
    for (const created of ['server/api/chat/new/x.ts', 'server/api/chat/new', 'server/api/chat', 'server/api', 'server']) {
      expect(existsSync(path.join(root, created)), `${created} is removed by the rollback`).toBe(false)
    }
    expect(existsSync(path.join(root, '.tutor-sse-migrate')), 'no journal after a failed apply').toBe(false)
  })

  it('refuses, before writing anything, a file that changed since the plan', () => {
    const root = temp()
    writeFiles(root, { ...FILES, 'crlf.ts': 'const x = 1\nconst y = 2\n' })
    const before = readTree(root)
    expect(() => applyChanges(root, CHANGES)).toThrow('crlf.ts: changed on disk since the plan was made')
    expect(diffTrees(readTree(root), before)).toBe('')
  })

  it('refuses to create a file that appeared since the plan', () => {
    const root = temp()
    writeFiles(root, { ...FILES, 'server/utils/sse.ts': 'mine\n' })
    expect(() => applyChanges(root, CHANGES)).toThrow('server/utils/sse.ts: created on disk since the plan was made')
  })

  it('--undo restores the previous tree without git, then has nothing left to undo', () => {
    const root = temp()
    writeFiles(root, FILES)
    const before = readTree(root)
    applyChanges(root, CHANGES)
    expect(existsSync(path.join(root, JOURNAL_FILE))).toBe(true)
    const restored = undoLastApply(root)
    expect(restored?.map((c) => `${c.kind} ${c.path}`)).toEqual([
      'delete server/utils/sse.ts',
      'update no-newline.ts',
      'create docs/SOCKET_IO.md',
      'update crlf.ts',
      'update bom.ts',
      'update a.ts',
    ])
    expect(diffTrees(readTree(root), before)).toBe('')
    expect(existsSync(path.join(root, '.tutor-sse-migrate'))).toBe(false)
    expect(undoLastApply(root)).toBeUndefined()
  })

  it('--undo refuses to overwrite work done after the migration', () => {
    const root = temp()
    writeFiles(root, FILES)
    applyChanges(root, CHANGES)
    writeFileSync(path.join(root, 'a.ts'), 'export const a = 42\n')
    const after = readTree(root)
    expect(() => undoLastApply(root)).toThrow('a.ts: changed on disk since the migration; undo would overwrite that work, so nothing was restored')
    expect(diffTrees(readTree(root), after)).toBe('')
  })
})
