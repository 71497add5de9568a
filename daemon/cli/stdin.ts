/** Reads secrets from standard input (--password-stdin): one line, the trailing newline removed. */
export async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer)
    if ((chunk as Buffer).includes(0x0a)) break
  }
  const text = Buffer.concat(chunks).toString('utf8')
  const nl = text.indexOf('\n')
  return (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '')
}
