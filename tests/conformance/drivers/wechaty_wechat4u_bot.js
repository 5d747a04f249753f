// A Wechaty 1.x ding-dong bot on wechaty-puppet-wechat4u (npm, both unmodified, public API only),
// for the conformance test: what a Wechaty user runs, pointed at the sandbox.
//
// Events go out as JSON lines on stdout ({"event": "scan", "status": 2}, ...); the bot stops when
// its stdin closes. Packages are found through NODE_PATH; the sandbox through HTTPS_PROXY and its
// CA through NODE_EXTRA_CA_CERTS.
'use strict'

const readline = require('readline')
const { WechatyBuilder } = require('wechaty')
const { PuppetWechat4u } = require('wechaty-puppet-wechat4u')

function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

const bot = WechatyBuilder.build({ name: 'conformance', puppet: new PuppetWechat4u() })

bot.on('scan', (qrcode, status) => emit({ event: 'scan', status }))
bot.on('login', user => emit({ event: 'login', id: user.id, name: user.name() }))
bot.on('logout', user => emit({ event: 'logout', name: user.name() }))
bot.on('error', err => emit({ event: 'error', error: String(err) }))
bot.on('message', async msg => {
  const room = msg.room()
  emit({ event: 'message', text: msg.text(), self: msg.self(), room: room ? await room.topic() : null })
  if (!msg.self() && msg.text() === 'ding') {
    await msg.say('dong')
  }
})

readline.createInterface({ input: process.stdin })
  .on('close', () => bot.stop().finally(() => process.exit(0)))

bot.start().catch(err => {
  emit({ event: 'error', error: String(err && err.stack) })
  process.exit(1)
})
