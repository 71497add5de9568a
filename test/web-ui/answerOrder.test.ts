import { describe, expect, it } from 'vitest'
import { AnswerOrder } from '../../web-ui/src/answerOrder.js'

describe('AnswerOrder: an older answer never replaces a newer one', () => {
  it('a refetch started before a save answers late: the save stays', () => {
    const order = new AnswerOrder()
    const refetch = order.start()
    order.setNow('a') // the save's own answer is shown
    expect(order.accept('a', refetch)).toBe(false)
  })

  it('two batches in flight: the later request wins whichever answers first', () => {
    const order = new AnswerOrder()
    const first = order.start()
    const second = order.start()
    expect(order.accept('a', second)).toBe(true)
    expect(order.accept('a', first)).toBe(false)
    expect(order.accept('b', first)).toBe(true) // another item is not held back
  })

  it('a request started after a save is newer than it', () => {
    const order = new AnswerOrder()
    order.setNow('a')
    expect(order.accept('a', order.start())).toBe(true)
  })

  it('a full list leaves alone what was set after it was asked for', () => {
    const order = new AnswerOrder()
    order.setNow('old')
    const list = order.start()
    order.setNow('saved')
    expect(order.setAfter(list)).toEqual(['saved'])
  })
})
