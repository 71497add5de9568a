/**
 * Per author, the highest seq of its log held (or applied) and that author's signed head at it:
 * a seq vector whose every entry the author itself signed.
 */
import type { SeqVector } from '../codec/SeqVector.js'
import type { SignedHead } from '../codec/SignedHead.js'

export class HeadVector {
  private readonly heads = new Map<string, SignedHead>()

  seq(author: string): number {
    return this.heads.get(author)?.seq ?? 0
  }

  head(author: string): SignedHead | undefined {
    return this.heads.get(author)
  }

  /** Raises the author of `head` to it when it is further along. */
  advance(head: SignedHead): void {
    if (head.seq > this.seq(head.author)) this.heads.set(head.author, head)
  }

  /** Sets an author to exactly `head` (undefined: to nothing held). */
  reset(author: string, head: SignedHead | undefined): void {
    if (head === undefined) this.heads.delete(author)
    else this.heads.set(author, head)
  }

  clear(): void {
    this.heads.clear()
  }

  vector(): SeqVector {
    return new Map([...this.heads].map(([author, head]) => [author, head.seq]))
  }

  all(): SignedHead[] {
    return [...this.heads.values()]
  }
}
