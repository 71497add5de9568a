/** A CSV reader for exports: RFC 4180 quoting, embedded newlines, CRLF/LF/CR, `;`/tab detection, lenient stray quotes. */
import { ImportError } from './errors.js'

/** One record: its cells, its 1-based row number (the header is row 1, blank lines are not counted) and first line. */
export interface CsvRow {
  cells: string[]
  row: number
  line: number
}

/** What parseCsv returns. */
export interface CsvParseResult {
  /** every non-blank record, the header first */
  rows: CsvRow[]
  separator: string
  /** rows where a stray quote was taken literally */
  strayQuoteRows: number[]
  /** false when the last record is not followed by a line end (a sign of truncation when it is also short) */
  endsWithNewline: boolean
}

const QUOTE = 34
const CR = 13
const LF = 10

/** Picks `,`, `;` or tab: whichever occurs most often outside quotes in the first record (ties go to `,`). */
export function detectSeparator(text: string): string {
  const counts = { ',': 0, ';': 0, '\t': 0 }
  let inQuotes = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') inQuotes = !inQuotes
    else if (!inQuotes && (c === '\n' || c === '\r')) break
    else if (!inQuotes && (c === ',' || c === ';' || c === '\t')) counts[c]++
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';'
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t'
  return ','
}

/** Splits CSV text (BOM already removed) into records. Throws an ImportError for a quoted cell that never closes. */
export function parseCsv(text: string, format: string, options: { separator?: string } = {}): CsvParseResult {
  const sep = options.separator ?? detectSeparator(text)
  const sepCode = sep.charCodeAt(0)
  const n = text.length
  const rows: CsvRow[] = []
  const strayQuoteRows: number[] = []
  let i = 0
  let line = 1
  let endsWithNewline = false
  while (i < n) {
    const cells: string[] = []
    const startLine = line
    const rowNo = rows.length + 1
    let stray = false
    endsWithNewline = false
    for (;;) {
      let cell: string
      if (text.charCodeAt(i) === QUOTE) {
        let buf = ''
        let from = i + 1
        for (;;) {
          const q = text.indexOf('"', from)
          if (q < 0) {
            throw new ImportError(format, `a quoted cell opened on line ${line} is never closed (is the file truncated?)`, {
              location: `row ${rowNo}`
            })
          }
          const chunk = text.slice(from, q)
          line += countLineEnds(chunk)
          buf += chunk
          const next = text.charCodeAt(q + 1)
          if (next === QUOTE) {
            buf += '"'
            from = q + 2
            continue
          }
          if (q + 1 >= n || next === sepCode || next === CR || next === LF) {
            i = q + 1
            break
          }
          buf += '"'
          from = q + 1
          stray = true
        }
        cell = buf
      } else {
        const start = i
        while (i < n) {
          const c = text.charCodeAt(i)
          if (c === sepCode || c === CR || c === LF) break
          i++
        }
        cell = text.slice(start, i)
      }
      cells.push(cell)
      const c = text.charCodeAt(i)
      if (c === sepCode) {
        i++
        continue
      }
      if (c === CR) {
        i++
        if (text.charCodeAt(i) === LF) i++
        line++
        endsWithNewline = true
      } else if (c === LF) {
        i++
        line++
        endsWithNewline = true
      }
      break
    }
    if (cells.length === 1 && cells[0] === '') continue
    if (stray) strayQuoteRows.push(rowNo)
    rows.push({ cells, row: rowNo, line: startLine })
  }
  return { rows, separator: sep, strayQuoteRows, endsWithNewline }
}

function countLineEnds(s: string): number {
  let k = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === LF) k++
    else if (c === CR && s.charCodeAt(i + 1) !== LF) k++
  }
  return k
}
