#!/usr/bin/env node
/*
 * Telegram Bot API emulator for end-to-end tests of the real python-telegram-bot.
 *
 * Starts telegram-test-api (npm, pinned in package.json) on a loopback port and puts an
 * express app in front of it that answers the bot side of the API in Telegram's own shapes.
 * Nothing under node_modules is edited: the package's TelegramServer keeps its storage,
 * its id counters, its HTTP server and its user-side routes (/getUpdates,
 * /getUpdatesHistory); this file answers every /bot<token>/<method> call, the user-side
 * /sendMessage, /sendCommand and /sendCallback, the /file/bot<token>/... downloads and the
 * /control/... test hooks. See README.md beside this file.
 *
 * Usage: node launcher.js [PORT]      (or env PORT; 0 or nothing = any free port)
 * Prints exactly one line to stdout, `READY <port>`, once it listens. Logs go to stderr.
 * Env: HOST (loopback only, default 127.0.0.1), BOT_USERNAME, BOT_FIRST_NAME,
 *      EMULATOR_EXIT_ON_STDIN_CLOSE=1 (exit when the parent closes our stdin).
 */

'use strict';

const crypto = require('crypto');
const http = require('http');
const https = require('https');
const path = require('path');

const TelegramServer = require('telegram-test-api');
// express is telegram-test-api's own dependency: resolve it from there, not by hoisting luck.
// eslint-disable-next-line import/no-dynamic-require
const express = require(require.resolve('express', {
  paths: [path.dirname(require.resolve('telegram-test-api'))],
}));

const BOT_USERNAME = process.env.BOT_USERNAME || 'TestNameBot';
const BOT_FIRST_NAME = process.env.BOT_FIRST_NAME || 'Test First name';
const MAX_BODY_BYTES = 60 * 1024 * 1024;
const MAX_CALL_LOG = 5000;

const log = (...args) => process.stderr.write(`[telegram-emulator] ${args.join(' ')}\n`);

// ---------------------------------------------------------------------------------------
// errors and small helpers

class TgError extends Error {
  constructor(code, description, parameters) {
    super(description);
    this.code = code;
    this.description = description;
    this.parameters = parameters;
  }
}
const badRequest = (what) => new TgError(400, `Bad Request: ${what}`);

const nowSec = () => Math.floor(Date.now() / 1000);
const toSec = (t) => (t > 1e11 ? Math.floor(t / 1000) : Math.floor(t)); // ms or s -> s

function isLoopbackHost(host) {
  const h = String(host).replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function sendJson(res, status, obj) {
  if (res.writableEnded || res.destroyed) return;
  res.status(status).type('application/json').send(JSON.stringify(obj));
}

function sendTgError(res, err) {
  const body = { ok: false, error_code: err.code, description: err.description };
  if (err.parameters) body.parameters = err.parameters;
  sendJson(res, err.code, body);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new TgError(413, 'Request Entity Too Large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseMultipart(buf, boundary) {
  const fields = {};
  const files = {};
  const delim = Buffer.from(`--${boundary}`);
  let pos = buf.indexOf(delim);
  while (pos !== -1) {
    pos += delim.length;
    if (buf.slice(pos, pos + 2).toString() === '--') break; // closing delimiter
    if (buf.slice(pos, pos + 2).toString() === '\r\n') pos += 2;
    const headEnd = buf.indexOf('\r\n\r\n', pos);
    if (headEnd === -1) break;
    const headers = buf.slice(pos, headEnd).toString('utf8');
    const next = buf.indexOf(delim, headEnd + 4);
    if (next === -1) break;
    let content = buf.slice(headEnd + 4, next);
    if (content.slice(-2).toString() === '\r\n') content = content.slice(0, -2);
    const disp = /content-disposition:[^\r\n]*/i.exec(headers);
    const name = disp && /\bname="([^"]*)"/i.exec(disp[0]);
    if (name) {
      const filename = /\bfilename="([^"]*)"/i.exec(disp[0]);
      const ctype = /content-type:\s*([^\r\n;]+)/i.exec(headers);
      if (filename) {
        files[name[1]] = {
          buf: content,
          filename: filename[1],
          mime: ctype ? ctype[1].trim() : 'application/octet-stream',
        };
      } else {
        fields[name[1]] = content.toString('utf8');
      }
    }
    pos = next;
  }
  return { fields, files };
}

/** Bot API parameters from query string + JSON / urlencoded / multipart body. */
function parseParams(req, body) {
  const params = { ...req.query };
  let files = {};
  const ctype = String(req.headers['content-type'] || '');
  if (body.length) {
    if (ctype.includes('application/json')) {
      try {
        Object.assign(params, JSON.parse(body.toString('utf8')));
      } catch (e) {
        throw badRequest("can't parse JSON request body");
      }
    } else if (ctype.includes('multipart/form-data')) {
      const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(ctype);
      if (!m) throw badRequest('multipart request without boundary');
      const parsed = parseMultipart(body, (m[1] || m[2]).trim());
      Object.assign(params, parsed.fields);
      files = parsed.files;
    } else {
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
    }
  }
  return { params, files };
}

// Parameter accessors: PTB sends JSON-encoded values as form strings; JSON bodies are typed.
const P = {
  has: (p, k) => p[k] !== undefined && p[k] !== null && p[k] !== '',
  str: (p, k) => (P.has(p, k) ? String(p[k]) : undefined),
  num(p, k) {
    if (!P.has(p, k)) return undefined;
    const n = Number(p[k]);
    if (!Number.isFinite(n)) throw badRequest(`wrong parameter ${k}`);
    return n;
  },
  bool: (p, k) => p[k] === true || p[k] === 'true' || p[k] === '1' || p[k] === 1,
  json(p, k) {
    if (!P.has(p, k)) return undefined;
    if (typeof p[k] !== 'string') return p[k];
    try {
      return JSON.parse(p[k]);
    } catch (e) {
      throw badRequest(`can't parse ${k} JSON object`);
    }
  },
};

// ---------------------------------------------------------------------------------------
// HTML parse mode (a subset of TDLib's parse_html: same tags, same error texts)

const HTML_TAGS = {
  b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', ins: 'underline',
  s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough', 'tg-spoiler': 'spoiler',
  span: 'spoiler', a: 'text_link', code: 'code', pre: 'pre', blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
};
const NAMED_ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"' };

function parseHtml(src) {
  const entities = [];
  const stack = [];
  let out = '';
  let i = 0;
  const at = (idx) => Buffer.byteLength(src.slice(0, idx), 'utf8');
  const fail = (what) => badRequest(`can't parse entities: ${what}`);
  while (i < src.length) {
    const ch = src[i];
    if (ch === '&') {
      const m = /^&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/.exec(src.slice(i, i + 12));
      if (m && m[1][0] === '#') {
        const cp = m[1][1] === 'x' ? parseInt(m[1].slice(2), 16) : parseInt(m[1].slice(1), 10);
        out += String.fromCodePoint(cp);
        i += m[0].length;
      } else if (m && NAMED_ENTITIES[m[1]]) {
        out += NAMED_ENTITIES[m[1]];
        i += m[0].length;
      } else {
        out += ch;
        i += 1;
      }
    } else if (ch !== '<') {
      out += ch;
      i += 1;
    } else if (src[i + 1] === '/') {
      const begin = i;
      const close = src.indexOf('>', i);
      if (close === -1) throw fail(`Unclosed end tag at byte offset ${at(begin)}`);
      const name = src.slice(i + 2, close).trim().toLowerCase();
      if (!stack.length) throw fail(`Unexpected end tag at byte offset ${at(begin)}`);
      const top = stack.pop();
      if (name && name !== top.tag) {
        throw fail(`Unmatched end tag at byte offset ${at(begin)}, expected "</${top.tag}>", found "</${name}>"`);
      }
      const length = out.length - top.offset;
      if (length > 0 && !top.skip) {
        entities.push({ ...top.entity, offset: top.offset, length });
      }
      i = close + 1;
    } else {
      const begin = i;
      let j = i + 1;
      while (j < src.length && !/[\s>/]/.test(src[j])) j += 1;
      const tag = src.slice(i + 1, j).toLowerCase();
      if (!HTML_TAGS[tag]) throw fail(`Unsupported start tag "${tag}" at byte offset ${at(begin)}`);
      const attrs = {};
      for (;;) {
        while (j < src.length && /\s/.test(src[j])) j += 1;
        if (j >= src.length) throw fail(`Unclosed start tag at byte offset ${at(begin)}`);
        if (src[j] === '>') break;
        if (src[j] === '/' && src[j + 1] === '>') throw fail(`Unclosed start tag at byte offset ${at(begin)}`);
        const am = /^([a-zA-Z-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/.exec(src.slice(j));
        if (!am) throw fail(`Expected equal sign in declaration of an attribute of the tag "${tag}" at byte offset ${at(begin)}`);
        const raw = am[2] ?? am[3] ?? am[4] ?? '';
        attrs[am[1].toLowerCase()] = raw.replace(/&(lt|gt|amp|quot);/g, (_, e) => NAMED_ENTITIES[e]);
        j += am[0].length;
      }
      const entity = { type: HTML_TAGS[tag] };
      let skip = false;
      if (tag === 'span' && attrs.class !== 'tg-spoiler') {
        throw fail(`Tag "span" must have class "tg-spoiler" at byte offset ${at(begin)}`);
      }
      if (tag === 'a') {
        if (!attrs.href) skip = true;
        else entity.url = attrs.href;
      }
      if (tag === 'blockquote' && 'expandable' in attrs) entity.type = 'expandable_blockquote';
      if (tag === 'tg-emoji') entity.custom_emoji_id = attrs['emoji-id'];
      if (tag === 'code' && stack.length && stack[stack.length - 1].tag === 'pre'
        && /^language-/.test(attrs.class || '')) {
        stack[stack.length - 1].entity.language = attrs.class.slice('language-'.length);
        skip = true;
      }
      stack.push({ tag, entity, offset: out.length, skip });
      i = j + 1;
    }
  }
  if (stack.length) {
    throw fail(`Can't find end tag corresponding to start tag "${stack[stack.length - 1].tag}"`);
  }
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text: out, entities };
}

/** Text or caption as Telegram stores it: HTML parsed; Markdown(V2) kept as sent. */
function formatText(params, textKey, entitiesKey) {
  const raw = P.str(params, textKey);
  if (raw === undefined) return null;
  const mode = P.str(params, 'parse_mode');
  const given = P.json(params, entitiesKey);
  if (given) return { text: raw, entities: given, parse_mode: mode, raw };
  if (mode && mode.toLowerCase() === 'html') {
    const parsed = parseHtml(raw);
    return { text: parsed.text, entities: parsed.entities, parse_mode: mode, raw };
  }
  return { text: raw, entities: [], parse_mode: mode, raw };
}

// ---------------------------------------------------------------------------------------
// images: sniff width/height so `photo` has real dimensions

function imageSize(buf) {
  try {
    if (buf.length > 24 && buf.readUInt32BE(0) === 0x89504e47) {
      return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), mime: 'image/png' };
    }
    if (buf.length > 10 && buf.slice(0, 4).toString('latin1') === 'GIF8') {
      return { width: buf.readUInt16LE(6), height: buf.readUInt16LE(8), mime: 'image/gif' };
    }
    if (buf.length > 30 && buf.slice(0, 4).toString('latin1') === 'RIFF'
      && buf.slice(8, 12).toString('latin1') === 'WEBP') {
      const kind = buf.slice(12, 16).toString('latin1');
      if (kind === 'VP8X') {
        return { width: 1 + buf.readUIntLE(24, 3), height: 1 + buf.readUIntLE(27, 3), mime: 'image/webp' };
      }
      if (kind === 'VP8L') {
        const b = buf.readUInt32LE(21);
        return { width: (b & 0x3fff) + 1, height: ((b >> 14) & 0x3fff) + 1, mime: 'image/webp' };
      }
      return {
        width: buf.readUInt16LE(26) & 0x3fff, height: buf.readUInt16LE(28) & 0x3fff, mime: 'image/webp',
      };
    }
    if (buf.length > 4 && buf[0] === 0xff && buf[1] === 0xd8) {
      let i = 2;
      while (i + 9 < buf.length) {
        if (buf[i] !== 0xff) { i += 1; continue; } // eslint-disable-line no-continue
        const marker = buf[i + 1];
        if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
          return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7), mime: 'image/jpeg' };
        }
        if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
          i += 2;
        } else {
          i += 2 + buf.readUInt16BE(i + 2);
        }
      }
    }
  } catch (e) {
    return null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// the emulator

function createEmulator(server) {
  const state = {};
  const webhooks = server.webhooks; // token -> {url, secret_token, allowed_updates, ...}

  function resetState() {
    state.files = new Map(); // file_id -> {buf, name, mime, size, width, height, unique}
    state.failRules = [];
    state.calls = [];
    state.callSeq = 0;
    state.callbacks = new Map(); // callback_query_id -> {answered, answer, token}
    state.commands = new Map(); // token|scope|lang -> [BotCommand]
    state.chats = new Map(); // chat id (string) -> Chat
    state.allowedUpdates = new Map(); // token -> [types]
    state.webhookErrors = new Map(); // token -> {date, message}
    state.delivering = new Set();
  }
  resetState();
  const waiters = new Map(); // token -> Set<waiter>

  const botId = (token) => {
    const m = /^(\d+):/.exec(token);
    return m ? Number(m[1]) : 666; // 666: telegram-test-api's getMe id
  };
  const botUser = (token) => ({
    id: botId(token), is_bot: true, first_name: BOT_FIRST_NAME, username: BOT_USERNAME,
  });
  const chatInstance = (token, chatId) => String(
    BigInt(`0x${crypto.createHash('sha1').update(`${token}|${chatId}`).digest('hex').slice(0, 15)}`),
  );

  function rememberChat(chat) {
    if (chat && chat.id !== undefined) {
      state.chats.set(String(chat.id), { ...state.chats.get(String(chat.id)), ...chat });
    }
  }

  function resolveChat(params, key = 'chat_id') {
    const raw = P.str(params, key);
    if (raw === undefined) throw badRequest(`${key} is empty`);
    if (raw.startsWith('@')) {
      const uname = raw.slice(1).toLowerCase();
      for (const c of state.chats.values()) {
        if (c.username && c.username.toLowerCase() === uname) return { ...c };
      }
      throw badRequest('chat not found');
    }
    const id = Number(raw);
    if (!Number.isInteger(id)) throw badRequest('chat not found');
    const known = state.chats.get(String(id));
    if (known) return { ...known };
    if (id > 0) return { id, type: 'private', first_name: `User${id}` };
    return { id, type: id < -1000000000000 ? 'supergroup' : 'group', title: `Chat ${id}` };
  }

  // ---- storage (telegram-test-api's arrays, entries in its shape plus `sender`)

  const botEntries = (token) => server.storage.botMessages.filter((e) => e.botToken === token);

  function findEntry(token, chatId, messageId) {
    const match = (e) => e.botToken === token && Number(e.messageId) === Number(messageId)
      && e.message && String(e.message.chat && e.message.chat.id) === String(chatId);
    return server.storage.botMessages.find(match) || server.storage.userMessages.find(match);
  }

  function findBotEntry(token, params) {
    if (P.has(params, 'inline_message_id')) return { inline: true };
    const chat = resolveChat(params);
    const messageId = P.num(params, 'message_id');
    if (messageId === undefined) throw badRequest('message identifier is not specified');
    const entry = findEntry(token, chat.id, messageId);
    if (!entry) throw badRequest('message to edit not found');
    if (entry.sender !== 'bot') throw badRequest("message can't be edited");
    return entry;
  }

  /** What the bot gets back: no user-side extras, only an inline keyboard as reply_markup. */
  function botView(message) {
    const m = { ...message };
    delete m.chat_id;
    delete m.raw_text;
    delete m.raw_caption;
    delete m.parse_mode;
    if (m.reply_markup && !m.reply_markup.inline_keyboard) delete m.reply_markup;
    if (m.entities && !m.entities.length) delete m.entities;
    if (m.caption_entities && !m.caption_entities.length) delete m.caption_entities;
    return m;
  }

  function validateReplyMarkup(markup) {
    if (markup === undefined) return undefined;
    if (!markup || typeof markup !== 'object') throw badRequest("can't parse reply keyboard markup JSON object");
    if (markup.inline_keyboard) {
      if (!Array.isArray(markup.inline_keyboard)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
      for (const row of markup.inline_keyboard) {
        if (!Array.isArray(row)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
        for (const b of row) {
          if (!b || typeof b.text !== 'string' || !b.text.length) throw badRequest('text buttons are unallowed in the inline keyboard');
          if (b.callback_data !== undefined
            && (Buffer.byteLength(String(b.callback_data), 'utf8') > 64 || String(b.callback_data) === '')) {
            throw badRequest('BUTTON_DATA_INVALID');
          }
          const kinds = ['url', 'callback_data', 'web_app', 'login_url', 'switch_inline_query',
            'switch_inline_query_current_chat', 'switch_inline_query_chosen_chat', 'copy_text',
            'callback_game', 'pay'].filter((k) => b[k] !== undefined);
          if (kinds.length !== 1) throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        }
      }
    }
    return markup;
  }

  function replyTo(token, chat, params) {
    let ref = P.json(params, 'reply_parameters');
    if (!ref && P.has(params, 'reply_to_message_id')) ref = { message_id: P.num(params, 'reply_to_message_id') };
    if (!ref) return undefined;
    const entry = findEntry(token, ref.chat_id !== undefined ? ref.chat_id : chat.id, ref.message_id);
    if (!entry || !entry.message) {
      if (ref.allow_sending_without_reply) return undefined;
      throw badRequest('message to be replied not found');
    }
    const m = botView(entry.message);
    delete m.reply_to_message;
    return m;
  }

  function addBotMessage(token, chat, content, params) {
    const now = Date.now();
    const messageId = server.messageId;
    server.messageId += 1;
    const updateId = server.updateId;
    server.updateId += 1;
    const message = {
      message_id: messageId,
      from: botUser(token),
      chat,
      date: toSec(now),
      ...content,
      chat_id: String(chat.id), // telegram-test-api's user-side /getUpdates filters on this
    };
    const markup = validateReplyMarkup(P.json(params, 'reply_markup'));
    if (markup) message.reply_markup = markup;
    const reply = replyTo(token, chat, params);
    if (reply) message.reply_to_message = reply;
    if (P.bool(params, 'protect_content')) message.has_protected_content = true;
    Object.keys(message).forEach((k) => message[k] === undefined && delete message[k]);
    server.storage.botMessages.push({
      time: now, botToken: token, updateId, messageId, isRead: false, sender: 'bot', message,
    });
    server.emit('AddedBotMessage');
    return message;
  }

  // ---- files

  function registerFile(buf, name, mime, extra = {}) {
    const n = state.files.size + 1;
    const unique = crypto.randomBytes(6).toString('hex');
    const fileId = `EMU${n}-${unique}`;
    const rec = {
      file_id: fileId, file_unique_id: `U${unique}`, buf, name, mime, size: buf ? buf.length : 0, ...extra,
    };
    state.files.set(fileId, rec);
    return rec;
  }

  /** The InputFile of parameter `key`: multipart upload, attach://name, known file_id or URL. */
  function inputFile(params, files, key, kind) {
    const v = params[key];
    let upload = files[key];
    if (!upload && typeof v === 'string' && v.startsWith('attach://')) {
      upload = files[v.slice('attach://'.length)];
      if (!upload) throw badRequest(`wrong HTTP URL specified`);
    }
    if (upload) {
      if (!upload.buf.length) throw badRequest('file must be non-empty');
      let extra = {};
      if (kind === 'photo' || kind === 'sticker') {
        const size = imageSize(upload.buf);
        if (!size) throw badRequest('IMAGE_PROCESS_FAILED');
        extra = size;
      }
      return registerFile(upload.buf, upload.filename, upload.mime || extra.mime, extra);
    }
    if (v === undefined || v === '') throw badRequest(`there is no ${key} in the request`);
    const s = String(v);
    if (state.files.has(s)) return state.files.get(s);
    if (/^https?:\/\//i.test(s)) {
      return registerFile(null, s.split('/').pop() || 'file', undefined, { width: 1, height: 1, url: s });
    }
    throw badRequest('wrong file identifier/HTTP URL specified');
  }

  function photoSizes(rec) {
    const full = {
      file_id: rec.file_id, file_unique_id: rec.file_unique_id,
      width: rec.width || 1, height: rec.height || 1, file_size: rec.size,
    };
    const longest = Math.max(full.width, full.height);
    if (longest <= 320) return [full];
    if (!rec.thumb) {
      const k = 320 / longest;
      rec.thumb = registerFile(rec.buf, rec.name, rec.mime, {
        width: Math.max(1, Math.round(full.width * k)), height: Math.max(1, Math.round(full.height * k)),
      });
    }
    const t = rec.thumb;
    return [
      { file_id: t.file_id, file_unique_id: t.file_unique_id, width: t.width, height: t.height, file_size: t.size },
      full,
    ];
  }

  function mediaObject(kind, rec, params) {
    const base = { file_id: rec.file_id, file_unique_id: rec.file_unique_id, file_size: rec.size };
    const dur = P.num(params, 'duration') || 0;
    const named = { file_name: rec.name, mime_type: rec.mime };
    switch (kind) {
      case 'photo': return photoSizes(rec);
      case 'document': return { ...base, ...named };
      case 'audio': return { ...base, ...named, duration: dur, title: P.str(params, 'title'), performer: P.str(params, 'performer') };
      case 'video': return { ...base, ...named, duration: dur, width: P.num(params, 'width') || 1, height: P.num(params, 'height') || 1 };
      case 'animation': return { ...base, ...named, duration: dur, width: P.num(params, 'width') || 1, height: P.num(params, 'height') || 1 };
      case 'voice': return { ...base, mime_type: rec.mime, duration: dur };
      case 'video_note': return { ...base, duration: dur, length: P.num(params, 'length') || 1 };
      case 'sticker': return {
        ...base, type: 'regular', width: rec.width || 512, height: rec.height || 512, is_animated: false, is_video: false,
      };
      default: throw new Error(`unknown media kind ${kind}`);
    }
  }

  function captionContent(params) {
    const cap = formatText(params, 'caption', 'caption_entities');
    if (!cap) return {};
    if (cap.text.length > 1024) throw badRequest('message caption is too long');
    const out = { caption: cap.text, caption_entities: cap.entities };
    if (cap.parse_mode) Object.assign(out, { parse_mode: cap.parse_mode, raw_caption: cap.raw });
    return out;
  }

  // ---- updates, long polling, webhooks

  const isPending = (e, token) => e.botToken === token && !e.isRead;
  const updateType = (e) => (e.callbackQuery ? 'callback_query' : 'message');

  function formatUpdate(e) {
    if (e.callbackQuery) return { update_id: e.updateId, callback_query: e.callbackQuery };
    return { update_id: e.updateId, message: e.message };
  }

  function pendingUpdates(token, offset, limit) {
    const all = server.storage.userMessages.filter((e) => isPending(e, token))
      .sort((a, b) => a.updateId - b.updateId);
    if (offset < 0) {
      all.slice(0, Math.max(0, all.length + offset)).forEach((e) => { e.isRead = true; });
    } else if (offset > 0) {
      all.filter((e) => e.updateId < offset).forEach((e) => { e.isRead = true; });
    }
    const allowed = state.allowedUpdates.get(token);
    const out = [];
    for (const e of all) {
      if (e.isRead) continue; // eslint-disable-line no-continue
      if (allowed && allowed.length && !allowed.includes(updateType(e))) {
        e.isRead = true; // Telegram drops updates of types the bot did not ask for
        continue; // eslint-disable-line no-continue
      }
      out.push(formatUpdate(e));
      if (out.length >= limit) break;
    }
    return out;
  }

  function wake(token) {
    const set = waiters.get(token);
    if (set) [...set].forEach((w) => w.wake());
    if (webhooks[token]) deliverWebhook(token); // eslint-disable-line no-use-before-define
  }

  function getUpdates(ctx) {
    const { token, params, res } = ctx;
    if (webhooks[token]) {
      throw new TgError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const offset = P.num(params, 'offset') || 0;
    const limit = Math.min(100, Math.max(1, P.num(params, 'limit') || 100));
    const timeout = Math.min(60, Math.max(0, P.num(params, 'timeout') || 0));
    const allowed = P.json(params, 'allowed_updates');
    if (Array.isArray(allowed)) state.allowedUpdates.set(token, allowed);
    // Like Telegram: a newer getUpdates ends the one still waiting.
    const set = waiters.get(token) || new Set();
    waiters.set(token, set);
    [...set].forEach((w) => w.conflict());
    const first = pendingUpdates(token, offset, limit);
    if (first.length || timeout === 0) return first;
    return new Promise((resolve, reject) => {
      const w = {};
      let timer;
      const done = () => { clearTimeout(timer); set.delete(w); };
      w.wake = () => {
        const got = pendingUpdates(token, offset, limit);
        if (got.length) { done(); resolve(got); }
      };
      w.flush = () => { done(); resolve(pendingUpdates(token, offset, limit)); };
      w.conflict = () => {
        done();
        reject(new TgError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
      };
      timer = setTimeout(w.flush, timeout * 1000);
      res.on('close', () => { done(); resolve([]); }); // the bot gave up (e.g. PTB shut down)
      set.add(w);
    });
  }

  function postJson(url, body, headers) {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const data = Buffer.from(JSON.stringify(body));
      const req = (u.protocol === 'https:' ? https : http).request(u, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers },
        timeout: 10000,
        rejectUnauthorized: false,
      }, (resp) => {
        resp.resume();
        resp.on('end', () => resolve(resp.statusCode));
      });
      req.on('timeout', () => req.destroy(new Error('Read timeout expired')));
      req.on('error', reject);
      req.end(data);
    });
  }

  /** Deliver pending updates one by one; on failure keep them pending and retry in 1 s. */
  async function deliverWebhook(token) {
    if (state.delivering.has(token)) return;
    state.delivering.add(token);
    const myState = state;
    try {
      for (;;) {
        const hook = webhooks[token];
        if (!hook) return;
        const next = server.storage.userMessages.filter((e) => isPending(e, token))
          .sort((a, b) => a.updateId - b.updateId)[0];
        if (!next) return;
        const allowed = hook.allowed_updates;
        if (allowed && allowed.length && !allowed.includes(updateType(next))) {
          next.isRead = true;
          continue; // eslint-disable-line no-continue
        }
        let problem = null;
        try {
          const headers = hook.secret_token ? { 'X-Telegram-Bot-Api-Secret-Token': hook.secret_token } : {};
          const status = await postJson(hook.url, formatUpdate(next), headers);
          if (status < 200 || status > 299) problem = `Wrong response from the webhook: ${status}`;
        } catch (e) {
          problem = e.code === 'ECONNREFUSED' ? 'Connection refused' : String(e.message || e);
        }
        if (problem) {
          if (!state.webhookErrors.has(token)) log(`webhook ${hook.url}: ${problem}; will retry`);
          state.webhookErrors.set(token, { date: nowSec(), message: problem });
          setTimeout(() => myState === state && deliverWebhook(token), 1000).unref();
          return;
        }
        state.webhookErrors.delete(token);
        next.isRead = true;
      }
    } finally {
      myState.delivering.delete(token);
    }
  }

  function dropPending(token) {
    server.storage.userMessages.forEach((e) => { if (e.botToken === token) e.isRead = true; });
  }

  // ---- edits

  const same = (a, b) => JSON.stringify(a || null) === JSON.stringify(b || null);
  const notModified = () => badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');

  function finishEdit(token, entry, changes, params) {
    const markup = validateReplyMarkup(P.json(params, 'reply_markup'));
    const msg = entry.message;
    const contentSame = Object.entries(changes).every(([k, v]) => same(msg[k], v));
    if (contentSame && same(msg.reply_markup, markup)) throw notModified();
    Object.entries(changes).forEach(([k, v]) => {
      if (v === undefined) delete msg[k];
      else msg[k] = v;
    });
    if (markup) msg.reply_markup = markup;
    else delete msg.reply_markup; // as on Telegram: an edit without reply_markup drops the keyboard
    msg.edit_date = nowSec();
    entry.edits = (entry.edits || 0) + 1;
    server.emit('EditedMessageText');
    return botView(msg);
  }

  // ---- bot API methods (keys are lower-case: Telegram's method names are case-insensitive)

  const methods = {};
  const ack = () => true;
  ['logout', 'close', 'setmydescription', 'setmyshortdescription', 'setmyname', 'setchatmenubutton',
    'pinchatmessage', 'unpinchatmessage', 'unpinallchatmessages', 'setmessagereaction', 'leavechat',
    'setmydefaultadministratorrights'].forEach((m) => { methods[m] = ack; });

  methods.getme = ({ token }) => ({
    ...botUser(token),
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  });

  methods.getupdates = getUpdates;

  methods.setwebhook = ({ token, params }) => {
    const url = P.str(params, 'url');
    if (!url) { // Telegram: an empty url removes the webhook
      delete webhooks[token];
      return true;
    }
    let u;
    try { u = new URL(url); } catch (e) { throw badRequest('bad webhook: invalid URL'); }
    if (!isLoopbackHost(u.hostname)) throw badRequest('bad webhook: the emulator only delivers to loopback addresses');
    webhooks[token] = {
      url,
      secret_token: P.str(params, 'secret_token'),
      allowed_updates: P.json(params, 'allowed_updates'),
      max_connections: P.num(params, 'max_connections') || 40,
    };
    if (P.bool(params, 'drop_pending_updates')) dropPending(token);
    state.webhookErrors.delete(token);
    wake(token);
    return true;
  };

  methods.deletewebhook = ({ token, params }) => {
    delete webhooks[token];
    if (P.bool(params, 'drop_pending_updates')) dropPending(token);
    return true;
  };

  methods.getwebhookinfo = ({ token }) => {
    const hook = webhooks[token];
    const info = {
      url: hook ? hook.url : '',
      has_custom_certificate: false,
      pending_update_count: server.storage.userMessages.filter((e) => isPending(e, token)).length,
    };
    const err = state.webhookErrors.get(token);
    if (hook && err) Object.assign(info, { last_error_date: err.date, last_error_message: err.message });
    if (hook) {
      info.max_connections = hook.max_connections;
      if (hook.allowed_updates) info.allowed_updates = hook.allowed_updates;
    }
    return info;
  };

  methods.sendmessage = ({ token, params }) => {
    const chat = resolveChat(params);
    const t = formatText(params, 'text', 'entities');
    if (!t || !t.text.trim()) throw badRequest('message text is empty');
    if (t.text.length > 4096) throw badRequest('message is too long');
    const content = { text: t.text, entities: t.entities };
    if (t.parse_mode) Object.assign(content, { parse_mode: t.parse_mode, raw_text: t.raw });
    return botView(addBotMessage(token, chat, content, params));
  };

  const MEDIA = {
    sendphoto: 'photo', senddocument: 'document', sendaudio: 'audio', sendvideo: 'video',
    sendanimation: 'animation', sendvoice: 'voice', sendvideonote: 'video_note', sendsticker: 'sticker',
  };
  Object.entries(MEDIA).forEach(([method, kind]) => {
    methods[method] = ({ token, params, files }) => {
      const chat = resolveChat(params);
      const rec = inputFile(params, files, kind, kind);
      const content = { [kind]: mediaObject(kind, rec, params), ...(kind === 'sticker' ? {} : captionContent(params)) };
      if (kind === 'animation') content.document = mediaObject('document', rec, params);
      return botView(addBotMessage(token, chat, content, params));
    };
  });

  methods.sendmediagroup = ({ token, params, files }) => {
    const chat = resolveChat(params);
    const media = P.json(params, 'media');
    if (!Array.isArray(media) || media.length < 2 || media.length > 10) {
      throw badRequest('wrong number of messages in the media group (2-10 expected)');
    }
    const groupId = String(Date.now()) + String(Math.floor(Math.random() * 1000));
    const prepared = media.map((item, n) => {
      const kind = item.type;
      if (!['photo', 'video', 'document', 'audio'].includes(kind)) throw badRequest(`wrong media type "${kind}" in the media group`);
      const itemParams = { ...item, [kind]: item.media };
      const rec = inputFile(itemParams, files, kind, kind);
      return { kind, rec, itemParams, n };
    });
    return prepared.map(({ kind, rec, itemParams, n }) => {
      const content = {
        media_group_id: groupId, [kind]: mediaObject(kind, rec, itemParams), ...captionContent(itemParams),
      };
      const p = n === 0 ? params : { ...params, reply_markup: undefined };
      return botView(addBotMessage(token, chat, content, p));
    });
  };

  methods.sendchataction = ({ params }) => {
    resolveChat(params);
    const actions = ['typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice',
      'upload_voice', 'upload_document', 'choose_sticker', 'find_location', 'record_video_note',
      'upload_video_note'];
    if (!actions.includes(P.str(params, 'action'))) throw badRequest('wrong parameter action in request');
    return true;
  };

  methods.editmessagetext = ({ token, params }) => {
    const entry = findBotEntry(token, params);
    const t = formatText(params, 'text', 'entities');
    if (!t || !t.text.trim()) throw badRequest('message text is empty');
    if (t.text.length > 4096) throw badRequest('MESSAGE_TOO_LONG');
    if (entry.inline) return true;
    if (entry.message.text === undefined) throw badRequest('there is no text in the message to edit');
    return finishEdit(token, entry, {
      text: t.text, entities: t.entities, parse_mode: t.parse_mode, raw_text: t.parse_mode ? t.raw : undefined,
    }, params);
  };

  methods.editmessagecaption = ({ token, params }) => {
    const entry = findBotEntry(token, params);
    const cap = captionContent(params);
    if (entry.inline) return true;
    if (entry.message.text !== undefined) throw badRequest('there is no caption in the message to edit');
    return finishEdit(token, entry, {
      caption: cap.caption, caption_entities: cap.caption_entities, parse_mode: cap.parse_mode, raw_caption: cap.raw_caption,
    }, params);
  };

  methods.editmessagereplymarkup = ({ token, params }) => {
    const entry = findBotEntry(token, params);
    if (entry.inline) return true;
    return finishEdit(token, entry, {}, params);
  };

  methods.deletemessage = ({ token, params }) => {
    const chat = resolveChat(params);
    const messageId = P.num(params, 'message_id');
    const entry = findEntry(token, chat.id, messageId);
    if (!entry) throw badRequest('message to delete not found');
    const drop = (arr) => arr.filter((e) => e !== entry);
    server.storage.botMessages = drop(server.storage.botMessages);
    server.storage.userMessages = drop(server.storage.userMessages);
    return true;
  };

  methods.deletemessages = ({ token, params }) => {
    const ids = P.json(params, 'message_ids') || [];
    ids.forEach((id) => {
      try { methods.deletemessage({ token, params: { ...params, message_id: id } }); } catch (e) { /* ignored like Telegram */ }
    });
    return true;
  };

  function copyOrForward(token, params, forward) {
    const chat = resolveChat(params);
    const from = resolveChat(params, 'from_chat_id');
    const entry = findEntry(token, from.id, P.num(params, 'message_id'));
    if (!entry || !entry.message) throw badRequest(`message to ${forward ? 'forward' : 'copy'} not found`);
    const src = entry.message;
    const keys = ['text', 'entities', 'caption', 'caption_entities', 'photo', 'document', 'audio',
      'video', 'animation', 'voice', 'video_note', 'sticker', 'location', 'contact'];
    const content = {};
    keys.forEach((k) => { if (src[k] !== undefined) content[k] = src[k]; });
    if (forward) {
      content.forward_origin = { type: 'user', sender_user: src.from, date: src.date };
    } else if (P.has(params, 'caption')) {
      Object.assign(content, captionContent(params));
    }
    const p = forward ? { ...params, reply_markup: undefined } : params;
    return addBotMessage(token, chat, content, p);
  }
  methods.forwardmessage = ({ token, params }) => botView(copyOrForward(token, params, true));
  methods.copymessage = ({ token, params }) => ({ message_id: copyOrForward(token, params, false).message_id });

  methods.answercallbackquery = ({ params }) => {
    const id = P.str(params, 'callback_query_id');
    const cb = id && state.callbacks.get(id);
    if (!cb || cb.answered) throw badRequest('query is too old and response timeout expired or query ID is invalid');
    cb.answered = true;
    cb.answer = {
      text: P.str(params, 'text'),
      show_alert: P.bool(params, 'show_alert'),
      url: P.str(params, 'url'),
      cache_time: P.num(params, 'cache_time'),
    };
    return true;
  };

  const commandsKey = (token, params) => {
    const scope = P.json(params, 'scope') || { type: 'default' };
    return `${token}|${JSON.stringify(scope)}|${P.str(params, 'language_code') || ''}`;
  };
  methods.setmycommands = ({ token, params }) => {
    const cmds = P.json(params, 'commands');
    if (!Array.isArray(cmds) || cmds.length > 100) throw badRequest('commands must be an array of at most 100 BotCommand');
    cmds.forEach((c) => {
      if (!c || !/^[a-z0-9_]{1,32}$/.test(String(c.command))) throw badRequest('BOT_COMMAND_INVALID');
      if (!c.description || String(c.description).length > 256) throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
    });
    state.commands.set(commandsKey(token, params), cmds.map((c) => ({ command: c.command, description: c.description })));
    return true;
  };
  methods.getmycommands = ({ token, params }) => state.commands.get(commandsKey(token, params)) || [];
  methods.deletemycommands = ({ token, params }) => {
    state.commands.delete(commandsKey(token, params));
    return true;
  };

  methods.getfile = ({ params }) => {
    const rec = state.files.get(P.str(params, 'file_id') || '');
    if (!rec) throw badRequest('invalid file_id');
    const ext = (rec.mime && rec.mime.split('/')[1]) || 'bin';
    rec.path = rec.path || `files/${rec.file_id}.${ext.replace(/[^a-z0-9]/gi, '')}`;
    return {
      file_id: rec.file_id, file_unique_id: rec.file_unique_id, file_size: rec.size, file_path: rec.path,
    };
  };

  methods.getchat = ({ params }) => ({
    ...resolveChat(params),
    accent_color_id: 0,
    max_reaction_count: 11,
    accepted_gift_types: {
      unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false, gifts_from_channels: false,
    },
  });

  // ---- failure injection (/control/fail_next)

  const DEFAULT_DESCRIPTIONS = {
    400: 'Bad Request: simulated failure',
    401: 'Unauthorized',
    403: 'Forbidden: bot was blocked by the user',
    404: 'Not Found',
    409: 'Conflict: simulated failure',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };

  function takeFailRule(method, params) {
    const m = method.toLowerCase();
    const idx = state.failRules.findIndex((r) => {
      const rm = String(r.method).toLowerCase();
      const methodOk = rm === m || (rm === '*' && m !== 'getupdates');
      return methodOk && (r.chat_id === undefined || String(r.chat_id) === String(params.chat_id));
    });
    if (idx === -1) return null;
    const rule = state.failRules[idx];
    if (rule.count > 0) {
      rule.count -= 1;
      if (rule.count === 0) state.failRules.splice(idx, 1);
    }
    return rule;
  }

  function ruleError(rule) {
    const status = rule.status;
    let description = rule.description;
    const parameters = {};
    if (rule.retry_after !== undefined && rule.retry_after !== null) parameters.retry_after = rule.retry_after;
    if (rule.migrate_to_chat_id !== undefined) parameters.migrate_to_chat_id = rule.migrate_to_chat_id;
    if (!description) {
      description = status === 429
        ? `Too Many Requests: retry after ${parameters.retry_after !== undefined ? parameters.retry_after : 1}`
        : (DEFAULT_DESCRIPTIONS[status] || `Simulated error ${status}`);
    }
    return new TgError(status, description, Object.keys(parameters).length ? parameters : undefined);
  }

  // ---- the /bot<token>/<method> endpoint

  function summarize(params, files) {
    const out = { ...params };
    Object.entries(files).forEach(([k, f]) => { out[k] = `<file ${f.filename} ${f.buf.length} bytes>`; });
    return out;
  }

  async function botApi(req, res) {
    const token = decodeURIComponent(req.params[0]);
    const method = req.params[1];
    const call = { seq: (state.callSeq += 1), method, token, at: Date.now() / 1000, status: null };
    state.calls.push(call);
    if (state.calls.length > MAX_CALL_LOG) state.calls.splice(0, state.calls.length - MAX_CALL_LOG);
    const finish = (status, payload) => {
      call.status = status;
      if (payload === null) return;
      if (payload instanceof TgError) sendTgError(res, payload);
      else sendJson(res, 200, { ok: true, result: payload });
    };
    let parsed;
    try {
      parsed = parseParams(req, await readBody(req));
    } catch (e) {
      finish(e.code || 400, e instanceof TgError ? e : badRequest(String(e.message || e)));
      return;
    }
    const { params, files } = parsed;
    call.params = summarize(params, files);
    const rule = takeFailRule(method, params);
    if (rule) {
      call.simulated = true;
      if (rule.delay_ms) await new Promise((r) => { setTimeout(r, rule.delay_ms); });
      if (rule.disconnect) {
        call.status = 'disconnect';
        req.socket.destroy();
        return;
      }
      if (rule.status) {
        finish(rule.status, ruleError(rule));
        return;
      }
    }
    const handler = methods[method.toLowerCase()];
    if (!handler) {
      // Telegram says 404 here, which PTB reports as InvalidToken; 400 gives a clear BadRequest.
      log(`unsupported Bot API method ${method}`);
      call.unsupported = true;
      finish(400, badRequest(`method "${method}" is not implemented by the telegram emulator (tests/telegram_emulator/launcher.js)`));
      return;
    }
    try {
      const result = await handler({ token, method, params, files, req, res });
      finish(200, result);
    } catch (e) {
      if (e instanceof TgError) {
        finish(e.code, e);
      } else {
        log(`error in ${method}: ${e && e.stack ? e.stack : e}`);
        finish(500, new TgError(500, `Internal Server Error: emulator failed in ${method}: ${e}`));
      }
    }
  }

  // ---- user side (telegram-test-api's /sendMessage, /sendCommand, /sendCallback, fixed)

  function commandEntities(text) {
    const out = [];
    const re = /(?<![^\s])\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?/g;
    let m;
    while ((m = re.exec(text)) !== null) out.push({ type: 'bot_command', offset: m.index, length: m[0].length });
    return out;
  }

  function userFrom(b) {
    const from = { ...(b.from || {}) };
    if (from.id === undefined) from.id = b.user_id !== undefined ? Number(b.user_id) : 1;
    from.id = Number(from.id);
    from.is_bot = false;
    if (!from.first_name) from.first_name = 'TestName';
    return from;
  }

  function userChat(b, from) {
    const given = (b.chat || (b.message && b.message.chat) || {});
    const chat = { ...given };
    if (chat.id === undefined) chat.id = b.chat_id !== undefined ? Number(b.chat_id) : from.id;
    chat.id = Number(chat.id);
    if (!chat.type) chat.type = chat.id > 0 ? 'private' : (chat.id < -1000000000000 ? 'supergroup' : 'group');
    if (chat.type === 'private') {
      delete chat.title;
      if (!chat.first_name) chat.first_name = from.first_name;
      if (!chat.username && from.username) chat.username = from.username;
    } else if (!chat.title) {
      chat.title = `Chat ${chat.id}`;
    }
    return chat;
  }

  function addUserUpdate(token, fields) {
    const now = Date.now();
    const updateId = server.updateId;
    server.updateId += 1;
    const entry = {
      time: now, botToken: token, updateId, isRead: false, sender: 'user', ...fields,
    };
    server.storage.userMessages.push(entry);
    wake(token);
    return entry;
  }

  function userMessage(req, res) {
    const b = req.body || {};
    const token = b.botToken || b.token;
    if (!token) { sendJson(res, 400, { ok: false, description: 'botToken is required' }); return; }
    const from = userFrom(b);
    const chat = userChat(b, from);
    rememberChat(chat);
    if (chat.type !== 'private') rememberChat({ id: from.id, type: 'private', first_name: from.first_name, username: from.username });
    const messageId = server.messageId;
    server.messageId += 1;
    const message = { ...b, message_id: messageId, from, chat, date: b.date ? toSec(Number(b.date)) : nowSec() };
    ['botToken', 'token', 'user_id', 'chat_id', 'reply_to_message_id'].forEach((k) => delete message[k]);
    if (typeof message.text === 'string' && !message.entities) {
      const ents = commandEntities(message.text);
      if (ents.length) message.entities = ents;
    }
    if (b.reply_to_message_id !== undefined) {
      const entry = findEntry(token, chat.id, b.reply_to_message_id);
      if (entry && entry.message) message.reply_to_message = botView(entry.message);
    }
    const entry = addUserUpdate(token, { messageId, message });
    sendJson(res, 200, { ok: true, result: { update_id: entry.updateId, message_id: messageId, message } });
  }

  function userCallback(req, res) {
    const b = req.body || {};
    const token = b.botToken || b.token;
    if (!token) { sendJson(res, 400, { ok: false, description: 'botToken is required' }); return; }
    const from = userFrom(b);
    const chat = userChat(b, from);
    const messageId = Number((b.message && b.message.message_id) ?? b.message_id);
    const data = b.data === undefined ? undefined : String(b.data);
    const entry = Number.isFinite(messageId) ? findEntry(token, chat.id, messageId) : null;
    if (!b.force) {
      if (!entry || entry.sender !== 'bot') {
        sendJson(res, 400, { ok: false, description: `no bot message ${messageId} in chat ${chat.id}` });
        return;
      }
      const rows = (entry.message.reply_markup && entry.message.reply_markup.inline_keyboard) || [];
      if (!rows.some((row) => row.some((btn) => btn.callback_data === data))) {
        sendJson(res, 400, { ok: false, description: `message ${messageId} has no inline button with callback_data ${JSON.stringify(data)}` });
        return;
      }
    }
    const message = entry && entry.message ? botView(entry.message)
      : { message_id: Number.isFinite(messageId) ? messageId : 0, from: botUser(token), chat, date: nowSec() };
    const callbackId = String(server.callbackId);
    server.callbackId += 1;
    const cq = {
      id: callbackId, from, message, chat_instance: chatInstance(token, chat.id),
    };
    if (data !== undefined) cq.data = data;
    state.callbacks.set(callbackId, { answered: false, answer: null });
    const added = addUserUpdate(token, { messageId: message.message_id, callbackQuery: cq, callbackId });
    sendJson(res, 200, { ok: true, result: { update_id: added.updateId, callback_query_id: callbackId } });
  }

  // ---- control endpoints for tests

  const control = express.Router();
  control.use(express.json({ limit: '60mb' }));
  control.get('/health', (req, res) => sendJson(res, 200, { ok: true, result: true }));
  control.post('/fail_next', (req, res) => {
    const b = req.body || {};
    if (!b.method) { sendJson(res, 400, { ok: false, description: 'method is required ("*" = any but getUpdates)' }); return; }
    const status = b.status === undefined || b.status === null ? undefined : Number(b.status);
    if (!status && !b.disconnect && !b.delay_ms) {
      sendJson(res, 400, { ok: false, description: 'give status, disconnect or delay_ms' });
      return;
    }
    const rule = {
      method: String(b.method),
      status,
      retry_after: b.retry_after === undefined || b.retry_after === null ? undefined : Number(b.retry_after),
      migrate_to_chat_id: b.migrate_to_chat_id,
      description: b.description,
      count: b.count === undefined ? 1 : Number(b.count), // <= 0: until /control/reset
      delay_ms: Number(b.delay_ms || 0),
      disconnect: Boolean(b.disconnect),
      chat_id: b.chat_id === undefined || b.chat_id === null ? undefined : b.chat_id,
    };
    state.failRules.push(rule);
    sendJson(res, 200, { ok: true, result: rule });
  });
  control.post('/reset', (req, res) => {
    for (const set of waiters.values()) [...set].forEach((w) => w.flush());
    server.storage.userMessages = [];
    server.storage.botMessages = [];
    Object.keys(webhooks).forEach((k) => delete webhooks[k]);
    resetState();
    sendJson(res, 200, { ok: true, result: true });
  });
  control.get('/calls', (req, res) => {
    const m = req.query.method && String(req.query.method).toLowerCase();
    const t = req.query.token && String(req.query.token);
    const result = state.calls.filter((c) => (!m || c.method.toLowerCase() === m) && (!t || c.token === t));
    sendJson(res, 200, { ok: true, result });
  });
  control.get('/callback_answer', (req, res) => {
    const cb = state.callbacks.get(String(req.query.id));
    sendJson(res, 200, { ok: true, result: cb ? cb.answer : null });
  });
  control.post('/upload', express.raw({ type: () => true, limit: '60mb' }), (req, res) => {
    // user-side files (e.g. a photo a user sends): store bytes, get ids for a message's `photo`
    const buf = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const kind = String(req.query.kind || 'document');
    const size = imageSize(buf);
    if (kind === 'photo' && !size) { sendJson(res, 400, { ok: false, description: 'not an image' }); return; }
    const rec = registerFile(buf, String(req.query.filename || 'file'), (size && size.mime) || String(req.query.mime || 'application/octet-stream'), size || {});
    const result = kind === 'photo' ? photoSizes(rec) : mediaObject(kind, rec, {});
    sendJson(res, 200, { ok: true, result });
  });

  function fileDownload(req, res) {
    const rec = [...state.files.values()].find((f) => f.path === req.params[1]);
    if (!rec || !rec.buf) { sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' }); return; }
    res.status(200).type(rec.mime || 'application/octet-stream').send(rec.buf);
  }

  return {
    botApi, userMessage, userCallback, control, fileDownload,
  };
}

// ---------------------------------------------------------------------------------------
// main

function parsePort() {
  const raw = process.argv[2] !== undefined ? process.argv[2] : (process.env.PORT || '0');
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    log(`bad port ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return port;
}

async function main() {
  const port = parsePort();
  const host = process.env.HOST || '127.0.0.1';
  if (!isLoopbackHost(host)) {
    log(`refusing to listen on non-loopback host ${host}`);
    process.exit(2);
  }
  // storeTimeout: telegram-test-api forgets messages older than this (default only 60 s).
  const server = new TelegramServer({ port: port || 1, host, storeTimeout: 24 * 3600 });
  server.config.port = port; // allow 0 = any free port (normalizeConfig turns 0 into 9000)

  const emu = createEmulator(server);
  const inner = server.webServer; // telegram-test-api's express app with its user-side routes
  const outer = express();
  outer.disable('x-powered-by');
  outer.all(/^\/bot([^/]+)\/([A-Za-z0-9_]+)\/?$/, emu.botApi);
  outer.get(/^\/file\/bot([^/]+)\/(.+)$/, emu.fileDownload);
  outer.post('/sendMessage', express.json({ limit: '10mb' }), emu.userMessage);
  outer.post('/sendCommand', express.json({ limit: '10mb' }), emu.userMessage);
  outer.post('/sendCallback', express.json({ limit: '10mb' }), emu.userCallback);
  outer.use('/control', emu.control);
  outer.use(inner);
  server.webServer = outer; // TelegramServer.start() serves this.webServer

  await server.start();
  const actual = server.server.address().port;
  server.config.port = actual;
  server.config.apiURL = `http://${host}:${actual}`;
  process.stdout.write(`READY ${actual}\n`);
}

process.on('unhandledRejection', (e) => log(`unhandled rejection: ${e && e.stack ? e.stack : e}`));
process.on('uncaughtException', (e) => log(`uncaught exception: ${e && e.stack ? e.stack : e}`));
['SIGTERM', 'SIGINT'].forEach((sig) => process.on(sig, () => process.exit(0)));
if (process.env.EMULATOR_EXIT_ON_STDIN_CLOSE === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}

main().catch((e) => {
  log(`failed to start: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
