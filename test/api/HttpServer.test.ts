import { describe, it, expect } from 'vitest'
import { request } from 'node:http'
import { HttpServer, parseHttpAddress, DEFAULT_HTTP_PORT } from '../../daemon/api/HttpServer.js'

describe('HTTP address', () => {
  it('binds loopback only and refuses other addresses', () => {
    expect(parseHttpAddress(undefined)).toEqual({ host: '127.0.0.1', port: DEFAULT_HTTP_PORT })
    expect(parseHttpAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 })
    expect(parseHttpAddress('localhost:8080')).toEqual({ host: '127.0.0.1', port: 8080 })
    expect(() => parseHttpAddress('0.0.0.0:8080')).toThrow(/loopback/)
    expect(() => parseHttpAddress('192.168.1.5:8080')).toThrow(/loopback/)
    expect(() => parseHttpAddress('127.0.0.1:99999')).toThrow(/port/)
  })
})

describe('HttpServer', () => {
  it('serves on the bound port, names its localhost URL, and a stop ends open streams', async () => {
    const server = new HttpServer({ address: '127.0.0.1:0' })
    expect(server.port).toBe(0)
    await server.start(
      () =>
        new Response(
          new ReadableStream({
            start(c) {
              c.enqueue(new TextEncoder().encode('open'))
            }
          })
        )
    )
    expect(server.port).toBeGreaterThan(0)
    expect(server.url).toBe(`http://localhost:${server.port}`)
    const ended = new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port: server.port, path: '/' }, res => {
        let text = ''
        res.setEncoding('utf8').on('data', d => {
          text += String(d)
        })
        res.on('close', () => resolve(text))
      })
        .on('error', reject)
        .end()
    })
    await new Promise(resolve => setTimeout(resolve, 100))
    const started = Date.now()
    await server.stop()
    expect(await ended).toBe('open')
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('an explicit port that is taken is an error, not another port', async () => {
    const first = new HttpServer({ address: '127.0.0.1:0' })
    await first.start(() => new Response('first'))
    const second = new HttpServer({ address: `127.0.0.1:${first.port}` })
    await expect(second.start(() => new Response('second'))).rejects.toMatchObject({ code: 'EADDRINUSE' })
    await first.stop()
  })
})
