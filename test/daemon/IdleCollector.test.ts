import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest'
import { IdleCollector } from '../../daemon/IdleCollector.js'

const MB = 1048576

describe('IdleCollector', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  function make(): { collector: IdleCollector; collect: ReturnType<typeof vi.fn>; heap: { used: number } } {
    const heap = { used: 50 * MB }
    const collect = vi.fn(() => {
      heap.used = 50 * MB
    })
    const collector = new IdleCollector({ collect, quietMs: 5000, minGrowthBytes: 8 * MB, heapUsed: () => heap.used })
    return { collector, collect, heap }
  }

  it('collects after requests once they pause for the quiet time, and only if the heap has grown', () => {
    const { collector, collect, heap } = make()
    collector.activity()
    vi.advanceTimersByTime(5000)
    expect(collect).not.toHaveBeenCalled() // no growth: nothing to give back
    heap.used += 20 * MB
    collector.activity()
    vi.advanceTimersByTime(4999)
    collector.activity() // the burst goes on: no collection in the middle of it
    vi.advanceTimersByTime(4999)
    expect(collect).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(collect).toHaveBeenCalledTimes(1)
  })

  it('a client that never pauses still gets a collection after maxDeferMs', () => {
    const { collector, collect, heap } = make()
    heap.used += 20 * MB
    for (let t = 0; t < 40_000; t += 1000) {
      collector.activity()
      vi.advanceTimersByTime(1000)
    }
    expect(collect).toHaveBeenCalledTimes(1)
  })

  it('collects after a lock, unlock or import whatever the growth, pushed back by the next one', () => {
    const { collector, collect } = make()
    collector.soon(2000)
    vi.advanceTimersByTime(1500)
    collector.soon(2000)
    vi.advanceTimersByTime(1500)
    expect(collect).not.toHaveBeenCalled()
    vi.advanceTimersByTime(500)
    expect(collect).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(60_000)
    expect(collect).toHaveBeenCalledTimes(1)
  })

  it('stop() cancels a pending collection', () => {
    const { collector, collect } = make()
    collector.soon(1000)
    collector.stop()
    vi.advanceTimersByTime(10_000)
    expect(collect).not.toHaveBeenCalled()
  })

  it('enabled: false never collects, whatever happens (--no-idle-gc, KITH_IDLE_GC=0)', () => {
    const heap = { used: 50 * MB }
    const collect = vi.fn()
    const collector = new IdleCollector({ collect, enabled: false, quietMs: 5000, minGrowthBytes: 8 * MB, heapUsed: () => heap.used })
    heap.used += 100 * MB
    collector.activity()
    collector.soon(1000)
    vi.advanceTimersByTime(120_000)
    expect(collect).not.toHaveBeenCalled()
    expect(collector.enabled).toBe(false)
  })
})
