/**
 * Which answer about an item is the newest, when answers arrive out of order: two batches of changed
 * items in flight, or a save's own answer and the event stream's refetch of the same item.
 * Each request is stamped when it starts; each item remembers the stamp of what is shown for it.
 * An answer to a request that started before the item was last set is older than what is shown.
 */
export class AnswerOrder {
  private clock = 0
  private readonly shownAt = new Map<string, number>()

  /** a stamp for a request about to start */
  start(): number {
    return ++this.clock
  }

  /** what is shown for `id` was set just now by this page (a save, a removal) */
  setNow(id: string): void {
    this.shownAt.set(id, ++this.clock)
  }

  /** true when an answer to the request stamped `started` may replace what is shown for `id` (and records it) */
  accept(id: string, started: number): boolean {
    if ((this.shownAt.get(id) ?? 0) > started) return false
    this.shownAt.set(id, started)
    return true
  }

  /** ids set after the request stamped `started` began: a full list must leave them as they are */
  setAfter(started: number): string[] {
    return [...this.shownAt].filter(([, at]) => at > started).map(([id]) => id)
  }
}
