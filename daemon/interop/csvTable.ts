/** A parsed CSV with a header: column lookup by name, required-column checks, and short/long row handling. */
import { parseCsv, type CsvRow } from './csv.js'
import { decodeText } from './decodeText.js'
import { describeContent, detectFormat } from './detect.js'
import { ImportError } from './errors.js'
import type { Warnings } from './warnings.js'

/** One data row, read through the header. */
export class CsvRecord {
  constructor(
    readonly cells: string[],
    private readonly row: number,
    private readonly index: ReadonlyMap<string, number>
  ) {}

  /** "row 17" */
  get location(): string {
    return `row ${this.row}`
  }

  /** The cell of the first column (of `names`) present in the header, '' when none is. */
  get(...names: string[]): string {
    for (const name of names) {
      const i = this.index.get(name) ?? this.index.get(name.toLowerCase())
      if (i !== undefined) return this.cells[i] ?? ''
    }
    return ''
  }
}

/** A CSV file read against its header row. */
export class CsvTable {
  /** the data rows (not the header) */
  readonly rows: CsvRow[]
  /** the header's column names, as written */
  readonly columns: string[]
  private readonly index = new Map<string, number>()
  private readonly width: number
  private readonly endsWithNewline: boolean

  private constructor(
    private readonly format: string,
    rows: CsvRow[],
    endsWithNewline: boolean,
    private readonly warnings: Warnings
  ) {
    const header = rows[0]?.cells ?? []
    this.columns = header
    header.forEach((name, i) => {
      const key = name.trim().toLowerCase()
      if (!this.index.has(key)) this.index.set(key, i)
    })
    this.width = header.length
    this.rows = rows.slice(1)
    this.endsWithNewline = endsWithNewline
  }

  /**
   * Decodes and parses `data`, then checks that each group of `required` has at least one column in the header
   * (e.g. `[['url'], ['username'], ['title', 'name']]`); otherwise an ImportError says what the file looks like.
   */
  static read(format: string, data: Uint8Array, required: string[][], warnings: Warnings): CsvTable {
    const text = decodeText(format, data)
    const guess = detectFormat(data)
    if (guess !== null && !guess.endsWith('-csv')) {
      throw new ImportError(format, `this is not a CSV file (${describeContent(data)})`, { location: 'row 1' })
    }
    if (guess !== null && guess !== format) {
      throw new ImportError(format, `the header is that of a ${guess} export, not ${format}: import it as ${guess}`, { location: 'row 1' })
    }
    const parsed = parseCsv(text, format)
    const table = new CsvTable(format, parsed.rows, parsed.endsWithNewline, warnings)
    const missing = required.filter(group => !group.some(name => table.has(name))).map(g => g.join(' or '))
    if (parsed.rows.length === 0) throw new ImportError(format, 'the file has no header row')
    if (missing.length > 0) {
      throw new ImportError(
        format,
        `the header has no ${missing.join(', ')} column: this is not a ${format} file (${describeContent(data)})`,
        { location: 'row 1' }
      )
    }
    if (parsed.strayQuoteRows.length > 0) {
      warnings.add(`malformed quoting (a lone '"' inside a quoted cell) was read leniently in row ${parsed.strayQuoteRows.join(', ')}`)
    }
    return table
  }

  /** True when the header has a column called `name` (case-insensitive). */
  has(name: string): boolean {
    return this.index.has(name.toLowerCase())
  }

  /** A cell of `row` by column name, without the width checks of {@link CsvTable.record} (to decide whether to skip a row). */
  peek(row: CsvRow, name: string): string {
    const i = this.index.get(name.toLowerCase())
    return i === undefined ? '' : (row.cells[i] ?? '')
  }

  /**
   * The row as a record. A short row is padded with empty cells and noted as a warning; a row with extra non-empty
   * cells, or a short last row cut off without a line end, is an ImportError naming the row.
   */
  record(row: CsvRow): CsvRecord {
    let cells = row.cells
    if (cells.length === this.width) return new CsvRecord(cells, row.row, this.index)
    const location = `row ${row.row}`
    if (cells.length < this.width) {
      if (row === this.rows[this.rows.length - 1] && !this.endsWithNewline) {
        throw new ImportError(
          this.format,
          `the file ends in the middle of a row (${cells.length} of ${this.width} cells): is it truncated?`,
          { location }
        )
      }
      this.warnings.note(`rows had fewer cells than the header (${this.width}); the missing cells were read as empty`, location)
      cells = [...cells, ...new Array<string>(this.width - cells.length).fill('')]
    } else if (cells.length > this.width && cells.slice(this.width).some(c => c !== '')) {
      throw new ImportError(
        this.format,
        `${cells.length} cells where the header has ${this.width}: an unquoted separator or a quoting error shifted the columns`,
        { location }
      )
    }
    return new CsvRecord(cells, row.row, this.index)
  }
}
