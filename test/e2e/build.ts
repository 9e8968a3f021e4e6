import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { copyFixture, killAllServers, linkNodeModules, nuxi, runCli, type CommandResult } from '../helpers/nuxt.js'

export interface FixtureBuild {
  appDir: string
  /** The CLI run (undefined when the fixture is built as it is). */
  migration?: CommandResult
  typecheck?: CommandResult
  build?: CommandResult
  cleanup(): Promise<void>
}

/**
 * Copies a fixture to a temp dir, optionally migrates it with the real CLI, and links the
 * project's node_modules. Type-checking and building are separate steps so each is its own test.
 */
export async function prepareFixture(name: string, options: { migrate: boolean }): Promise<FixtureBuild> {
  const { appDir, cleanup } = await copyFixture(name)
  const prepared: FixtureBuild = { appDir, cleanup }
  // Migrate before node_modules exists, as a user's fresh clone would be, so the CLI never scans it.
  if (options.migrate) prepared.migration = await runCli([appDir, '--no-install'])
  await linkNodeModules(appDir)
  return prepared
}

export async function typecheckFixture(prepared: FixtureBuild): Promise<CommandResult> {
  prepared.typecheck = await nuxi(prepared.appDir, 'typecheck', 300_000)
  return prepared.typecheck
}

export async function buildFixture(prepared: FixtureBuild): Promise<CommandResult> {
  prepared.build = await nuxi(prepared.appDir, 'build', 300_000)
  return prepared.build
}

/** Throws (failing the dependent tests with the reason) unless the build step succeeded. */
export function requireBuilt(prepared: FixtureBuild | undefined): string {
  if (!prepared?.build) throw new Error('the app was not built (see the build test)')
  if (prepared.build.exitCode !== 0 || !existsSync(join(prepared.appDir, '.output/server/index.mjs'))) {
    throw new Error(`the app did not build:\n${prepared.build.output}`)
  }
  return prepared.appDir
}

/**
 * In the calling `describe`: the fixture prepared before its tests (see `prepareFixture`), and every
 * server and the copy removed after them. The getter gives the fixture once `beforeAll` has run.
 */
export function usePreparedFixture(name: string, options: { migrate: boolean }, timeoutMs: number): () => FixtureBuild {
  let fixture: FixtureBuild | undefined
  beforeAll(async () => {
    fixture = await prepareFixture(name, options)
  }, timeoutMs)
  afterAll(async () => {
    killAllServers()
    await fixture?.cleanup()
  })
  return () => {
    if (!fixture) throw new Error(`the ${name} fixture was not prepared (see beforeAll)`)
    return fixture
  }
}

/** In the calling `describe`: `nuxi typecheck` and `nuxi build` of the prepared fixture pass, each its own test. */
export function itTypechecksAndBuilds(fixture: () => FixtureBuild): void {
  it('passes nuxi typecheck', async () => {
    const result = await typecheckFixture(fixture())
    expect(result.exitCode, result.output).toBe(0)
  }, 300_000)

  it('builds with nuxi build', async () => {
    const result = await buildFixture(fixture())
    expect(result.exitCode, result.output).toBe(0)
  }, 300_000)
}
