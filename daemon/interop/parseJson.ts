/** JSON.parse for import files: a syntax error becomes an ImportError naming the line and column where it broke. */
import { describeContent } from './detect.js'
import { ImportError } from './errors.js'
import { decodeText } from './decodeText.js'

/** Decodes and parses a JSON export; anything but a JSON object is an ImportError. */
export function parseJsonObject(format: string, data: Uint8Array): Record<string, unknown> {
  const text = decodeText(format, data)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    const m = /at position (\d+)/.exec(message)
    const pos = m !== null ? Number(m[1]) : text.length
    const first = text.trimStart()[0]
    const atEnd = m === null || pos >= text.trimEnd().length - 1
    const hint =
      first === '{' || first === '['
        ? atEnd
          ? ' (the file ends too soon: is it truncated?)'
          : ''
        : ` (this is not JSON: ${describeContent(data)})`
    throw new ImportError(format, `invalid JSON: ${message}${hint}`, { location: lineColumn(text, pos), cause: err })
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ImportError(format, `expected a JSON object at the top level, found ${Array.isArray(value) ? 'an array' : typeof value}`)
  }
  return value as Record<string, unknown>
}

/** "line 3, column 7 (character 45)" for a character offset. */
export function lineColumn(text: string, pos: number): string {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return `line ${line}, column ${pos - lineStart + 1} (character ${pos})`
}
