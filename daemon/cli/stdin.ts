/** Reads secrets from standard input (--password-stdin): whole lines, their newlines removed. */
export async function readStdinLine(): Promise<string> {
  return (await readStdinLines(1))[0] as string
}

/** The first `count` lines of standard input ('' for a line that is missing), reading no further. */
export async function readStdinLines(count: number): Promise<string[]> {
  const chunks: Buffer[] = []
  let newlines = 0
  for await (const chunk of process.stdin) {
    const b = chunk as Buffer
    chunks.push(b)
    for (const byte of b) if (byte === 0x0a) newlines++
    if (newlines >= count) break
  }
  const lines = Buffer.concat(chunks).toString('utf8').split('\n')
  return Array.from({ length: count }, (_, i) => (lines[i] ?? '').replace(/\r$/, ''))
}
