/**
 * Node 20 lacks Promise.withResolvers, which libp2p 3 calls at runtime (without it every dial fails
 * with a misleading ECONNRESET). Imported first by every entry point and by the libp2p node module.
 */
export {}

declare global {
  interface PromiseConstructor {
    withResolvers: <T>() => { promise: Promise<T>; resolve: (value: T | PromiseLike<T>) => void; reject: (reason?: unknown) => void }
  }
}

if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void
      let reject!: (reason?: unknown) => void
      const promise = new Promise<T>((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    }
  })
}
