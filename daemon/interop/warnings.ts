/** Collects what an import could not carry, grouped by kind so 10,000 attachments make one line, not 10,000. */

const MAX_NAMES = 5

/** Accumulates warnings; {@link Warnings.list} renders them, one line per kind. */
export class Warnings {
  private readonly kinds = new Map<string, string[]>()
  private readonly lines: string[] = []

  /** One occurrence of a kind of loss (`kind` is the sentence, e.g. "attachments were not imported") for `label`. */
  note(kind: string, label: string): void {
    const labels = this.kinds.get(kind)
    if (labels === undefined) this.kinds.set(kind, [label])
    else labels.push(label)
  }

  /** A one-off warning line. */
  add(line: string): void {
    this.lines.push(line)
  }

  /** Every warning, one line each: one-offs first, then each kind with its count and a few of the items named. */
  list(): string[] {
    const out = [...this.lines]
    for (const [kind, labels] of this.kinds) {
      const shown = labels.slice(0, MAX_NAMES).join(', ')
      const more = labels.length > MAX_NAMES ? ` and ${labels.length - MAX_NAMES} more` : ''
      out.push(`${kind} (${labels.length}): ${shown}${more}`)
    }
    return out
  }
}

/** Quotes an item title for a warning or an error location: `'Foo'`, or `#17` when it has none. */
export function itemLabel(title: string, index: number): string {
  const t = title.trim()
  return t === '' ? `#${index + 1}` : `'${t.length > 60 ? t.slice(0, 57) + '...' : t}'`
}
