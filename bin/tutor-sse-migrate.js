#!/usr/bin/env node
import { main } from '../dist/src/cli.js'

// A reader that stops early (`| head`) closes the pipe; what is left to print has nobody to read it.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
}

process.exitCode = await main(process.argv)
