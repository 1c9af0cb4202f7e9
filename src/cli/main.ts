/** Placeholder entry point; the real command line lands with the CLI work of issue "Foundation". */
export async function main(argv: string[], opts: { program: string }): Promise<void> {
  process.stderr.write(`${opts.program}: not implemented yet (${argv.join(' ')})\n`);
  process.exitCode = 1;
}
