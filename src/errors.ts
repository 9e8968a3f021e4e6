/** Bad usage or bad input: the CLI prints the message and exits 2 without writing anything. */
export class InputError extends Error {
  override readonly name = 'InputError'
}

/** The migration could not be planned or applied; nothing was written (exit 3). */
export class MigrationError extends Error {
  override readonly name = 'MigrationError'
}
