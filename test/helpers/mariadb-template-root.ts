import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'

/**
 * Vitest global setup: one directory per test run, in which the first test that starts MariaDB
 * installs a data-dir template for the others to copy (see startMariaDb). Removed when the run ends.
 */
export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'sse-mariadb-template-'))
  project.provide('mariadbTemplateRoot', root)
  return () => rmSync(root, { recursive: true, force: true })
}
