/**
 * Loads a dashboard module (web-ui/src) that touches Preact or browser-only types, by a path the
 * daemon's type program does not follow: Preact's types add the DOM library to any program that
 * reads them (and Node's fetch types then clash with the DOM's), and api.ts uses DOM-only
 * RequestInit fields. `tsc -p web-ui` type-checks these modules; a test declares the slice it uses.
 * Pure modules (search, strength, format, totp, qr) are imported directly.
 */
export async function loadPageModule<T>(name: string): Promise<T> {
  return (await import(new URL(`../../web-ui/src/${name}.ts`, import.meta.url).href)) as T
}
