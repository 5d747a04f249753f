// Drive wechat4u (npm, unmodified, public API only) for the conformance test, a JSON line at a time.
//
// The test writes commands on stdin ({"id": 1, "cmd": "login"}) and reads JSON lines on stdout:
// {"id": 1, "result": ...} or {"id": 1, "error": "..."} per command, and {"event": "message", ...}
// for every message wechat4u emits. wechat4u is found through NODE_PATH; the sandbox through
// HTTPS_PROXY (axios) and its CA through NODE_EXTRA_CA_CERTS.
'use strict'

const crypto = require('crypto')
const fs = require('fs')
const readline = require('readline')
const Wechat = require('wechat4u')

const bot = new Wechat()
let loggedIn = null

function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

function digest (buf) {
  const data = Buffer.from(buf)
  return {
    size: data.length,
    md5: crypto.createHash('md5').update(data).digest('hex'),
    head: data.subarray(0, 4).toString('hex')
  }
}

bot.on('error', err => process.stderr.write(`wechat4u error: ${err && (err.tips || err.message)}\n`))
bot.on('login', () => loggedIn && loggedIn())
bot.on('logout', () => emit({ event: 'logout' }))

bot.on('message', msg => {
  const event = {
    event: 'message',
    msg_id: msg.MsgId,
    msg_type: msg.MsgType,
    app_type: msg.AppMsgType,
    from: msg.FromUserName,
    to: msg.ToUserName,
    room: msg.FromUserName.startsWith('@@') || msg.ToUserName.startsWith('@@'),
    file_name: msg.FileName,
    text: msg.Content
  }
  let media = null
  if (msg.MsgType === bot.CONF.MSGTYPE_IMAGE) {
    media = bot.getMsgImg(msg.MsgId)
  } else if (msg.MsgType === bot.CONF.MSGTYPE_VOICE) {
    media = bot.getVoice(msg.MsgId)
  } else if (msg.MsgType === bot.CONF.MSGTYPE_VIDEO) {
    media = bot.getVideo(msg.MsgId)
  } else if (msg.MsgType === bot.CONF.MSGTYPE_APP && msg.AppMsgType === 6) {
    media = bot.getDoc(msg.FromUserName, msg.MediaId, msg.FileName)
  }
  if (media === null) {
    emit(event)
    return
  }
  media.then(res => emit(Object.assign(event, { media: digest(res.data) })))
    .catch(err => emit(Object.assign(event, { media_error: String(err.tips || err) })))
})

function userName (args) {
  const all = Object.values(bot.contacts)
  const found = args.topic !== undefined
    ? all.filter(c => c.UserName.startsWith('@@') && c.NickName === args.topic)
    : all.filter(c => !c.UserName.startsWith('@@') && (c.NickName === args.nick || c.RemarkName === args.nick))
  if (!found.length) throw new Error(`no contact ${JSON.stringify(args)}`)
  return found[0].UserName
}

const commands = {
  login () {
    return new Promise((resolve, reject) => {
      loggedIn = () => resolve({ user_name: bot.user.UserName, nick: bot.user.NickName })
      bot.once('error', reject)
      bot.start()
    })
  },
  async contacts () {
    const all = Object.values(bot.contacts)
    const rooms = all.filter(c => c.UserName.startsWith('@@'))
    const full = await bot.batchGetContact(rooms.map(r => ({ UserName: r.UserName })))
    return {
      friends: all.filter(c => !bot.Contact.isRoomContact(c) && !bot.Contact.isPublicContact(c) &&
        !bot.Contact.isSpContact(c) && !bot.Contact.isSelf(c)).map(c => c.NickName).sort(),
      rooms: full.map(r => ({ topic: r.NickName, members: r.MemberList.map(m => m.NickName).sort() }))
    }
  },
  async send_text (args) {
    const res = await bot.sendMsg(args.text, userName(args))
    return { msg_id: res.MsgID, local_id: res.LocalID }
  },
  async send_file (args) {
    const file = { file: fs.readFileSync(args.path), filename: args.path.split('/').pop() }
    const res = await bot.sendMsg(file, userName(args))
    return { msg_id: res.MsgID, local_id: res.LocalID }
  },
  async revoke (args) {
    const res = await bot.revokeMsg(args.msg_id, userName(args))
    return { ret: res.BaseResponse.Ret }
  },
  async avatar (args) {
    const contact = bot.contacts[userName(args)]
    const res = await bot.getHeadImg(contact.HeadImgUrl)
    return digest(res.data)
  },
  async logout () {
    await bot.logout() // stop() logs out too, without waiting for the answer
    bot.stop()
    return { ok: true }
  }
}

readline.createInterface({ input: process.stdin }).on('line', line => {
  if (!line.trim()) return
  const request = JSON.parse(line)
  Promise.resolve()
    .then(() => commands[request.cmd](request))
    .then(result => emit({ id: request.id, result }))
    .catch(err => emit({ id: request.id, error: `${err && (err.tips || '')} ${err && err.stack}` }))
}).on('close', () => process.exit(0))
