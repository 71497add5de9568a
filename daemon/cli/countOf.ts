/** A count with its noun in the right number: "1 item", "2 items", "1 note", "0 notes". */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`
}
