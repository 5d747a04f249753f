// A TypeScript-Wechaty (wechaty 1.x + wechaty-puppet-service) bot through the Puppet Service:
// ding-dong, room welcome, images. Run by tests/service with WECHATY_PUPPET_SERVICE_* set and
// REPLY_IMAGE naming a picture to send back; it prints one line per thing it did.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

import { FileBox } from 'file-box'
import { WechatyBuilder, types } from 'wechaty'

const say = (line) => console.log(line)

const bot = WechatyBuilder.build({ puppet: 'wechaty-puppet-service' })

bot.on('login', (user) => say(`LOGIN ${user.id}`))
bot.on('ready', () => say('READY'))
bot.on('error', (e) => console.error('bot error', e))

bot.on('message', async (msg) => {
  if (msg.self()) return
  if (msg.type() === types.Message.Text && msg.text() === 'ding') {
    await msg.say('dong')
    say(`DONG to ${msg.talker().id}`)
  } else if (msg.type() === types.Message.Image) {
    const box = await msg.toFileBox()
    const digest = createHash('sha256').update(await box.toBuffer()).digest('hex')
    await msg.say(`image ${digest}`)
    await msg.say(FileBox.fromBuffer(readFileSync(process.env.REPLY_IMAGE), 'reply.png'))
    say(`IMAGE ${digest}`)
  }
})

bot.on('room-join', async (room, invitees) => {
  const names = invitees.map((c) => c.name()).join(', ')
  await room.say(`welcome ${names} to ${await room.topic()}`)
  say(`WELCOME ${names}`)
})

const stop = async () => { await bot.stop(); process.exit(0) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

await bot.start()
