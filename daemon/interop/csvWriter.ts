/** Writes RFC 4180 CSV: CRLF between records, cells quoted only when they hold a separator, quote or line end. */

function cell(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

/** One CSV document from a header and rows of the same width. */
export function formatCsv(header: readonly string[], rows: readonly string[][]): string {
  const lines = [header.map(cell).join(',')]
  for (const r of rows) lines.push(r.map(cell).join(','))
  return lines.join('\r\n') + '\r\n'
}
