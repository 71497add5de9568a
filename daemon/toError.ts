/** Whatever was thrown, as an Error (a thrown string or object keeps its text as the message). */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown
  return new Error(typeof thrown === 'string' ? thrown : (JSON.stringify(thrown) ?? String(thrown)))
}
