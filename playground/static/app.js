// Mode latihan: a small Telegram client for the playground's simulated people, and the staff's helpdesk group.
// Plain JS, no build step.
// The bot's texts arrive as plain text plus Telegram message entities; formatting is built with DOM nodes
// (textContent), so nothing the bot sends is ever parsed as HTML.
"use strict";

const ZONE = "Asia/Jakarta";
const GROUP_TAB = "group";
const state = {
  people: new Map(), // id -> person
  chats: new Map(), // id -> latest chat snapshot
  open: [], // ids of the phones shown, in order
  active: null, // on a narrow screen, what is shown: a phone's person id, or GROUP_TAB
  unread: new Set(), // tabs with something new since they were last shown
  phones: new Map(), // id -> phone view
  clockBase: null, // the bot's time (ms) when the last meta arrived
  clockAt: 0, // performance.now() at that moment
  busy: false,
  started: false,
};

const clockFormat = new Intl.DateTimeFormat("id-ID", {
  timeZone: ZONE, weekday: "long", day: "numeric", month: "long", year: "numeric",
  hour: "2-digit", minute: "2-digit",
});
const timeFormat = new Intl.DateTimeFormat("id-ID", { timeZone: ZONE, hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat("id-ID", { timeZone: ZONE, weekday: "long", day: "numeric", month: "long", year: "numeric" });

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

async function api(path, body) {
  const options = { method: "POST" };
  if (body instanceof FormData) {
    options.body = body;
  } else {
    options.headers = { "Content-Type": "application/json" };
    options.body = JSON.stringify(body || {});
  }
  const response = await fetch(path, options);
  if (!response.ok) {
    const reason = await response.text();
    throw new Error(reason || response.statusText);
  }
  return response.json();
}

// ---------------------------------------------------------------- the clock

function botNow() {
  return state.clockBase === null ? null : state.clockBase + (performance.now() - state.clockAt);
}

function renderClock() {
  const now = botNow();
  document.getElementById("clock-now").textContent = now === null ? "…" : clockFormat.format(new Date(now)) + " WIB";
}

function setBusy(busy) {
  state.busy = busy;
  document.getElementById("clock-busy").hidden = !busy;
  for (const button of document.querySelectorAll("[data-advance]")) button.disabled = busy;
}

document.querySelectorAll("[data-advance]").forEach((button) => {
  button.addEventListener("click", async () => {
    setBusy(true);
    try {
      await api("/api/clock", { by: button.dataset.advance });
    } catch (error) {
      alert("Waktu tidak bisa dimajukan: " + error.message);
    }
  });
});
setInterval(renderClock, 1000);

// ---------------------------------------------------------------- people

function renderPeoplePicker() {
  const select = document.getElementById("person-pick");
  select.replaceChildren(el("option", null, "— pilih orang —"));
  select.firstChild.value = "";
  for (const person of state.people.values()) {
    if (state.open.includes(person.id)) continue;
    const option = el("option", null, person.name + (person.staff ? " (admin)" : " (peserta)"));
    option.value = String(person.id);
    select.append(option);
  }
}

document.getElementById("person-pick").addEventListener("change", (event) => {
  const id = Number(event.target.value);
  if (id) openPhone(id);
});

document.getElementById("people-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("person-name");
  const name = input.value.trim();
  if (!name) return;
  try {
    const person = await api("/api/people", { name });
    state.people.set(person.id, person);
    input.value = "";
    openPhone(person.id);
  } catch (error) {
    alert("Peserta tidak bisa ditambahkan: " + error.message);
  }
});

function openPhone(id) {
  if (!state.open.includes(id)) state.open.push(id);
  state.active = id; // the chat just opened is the one shown on a narrow screen
  renderPhones();
}

// ---------------------------------------------------------------- tabs (a narrow screen shows one chat at a time)

function showTab(tab) {
  state.active = tab;
  state.unread.delete(tab);
  renderTabs();
}

function renderTabs() {
  if (state.active !== GROUP_TAB && !state.open.includes(state.active)) {
    state.active = state.open.length ? state.open[0] : GROUP_TAB;
  }
  // A tab shows the first name (Siti, Dewi), as a phone's chat list would on a small screen.
  const entries = state.open.map((id) => [id, state.people.get(id).name]);
  entries.push([GROUP_TAB, "Grup Petugas"]);
  const tabs = entries.map(([tab, name]) => {
    const button = el("button", "tab", tab === GROUP_TAB ? name : name.split(" ")[0]);
    button.type = "button";
    button.title = name;
    button.setAttribute("role", "tab");
    button.dataset.tab = String(tab);
    button.setAttribute("aria-selected", String(tab === state.active));
    if (state.unread.has(tab)) button.append(el("span", "tab-new", "•"));
    button.addEventListener("click", () => showTab(tab));
    return button;
  });
  document.getElementById("tabs").replaceChildren(...tabs);
  for (const [id, phone] of state.phones) phone.root.classList.toggle("active", id === state.active);
  document.getElementById("group").classList.toggle("active", state.active === GROUP_TAB);
  document.getElementById("stage").dataset.tab = state.active === GROUP_TAB ? GROUP_TAB : "phone";
}

function markUnread(tab) {
  if (tab === state.active || state.unread.has(tab)) return;
  state.unread.add(tab);
  renderTabs();
}

function closePhone(id) {
  state.open = state.open.filter((other) => other !== id);
  renderPhones();
}

// ---------------------------------------------------------------- phones

function renderPhones() {
  const container = document.getElementById("phones");
  for (const [id, phone] of state.phones) {
    if (!state.open.includes(id)) {
      phone.root.remove();
      state.phones.delete(id);
    }
  }
  for (const id of state.open) {
    let phone = state.phones.get(id);
    if (!phone) {
      phone = createPhone(state.people.get(id));
      state.phones.set(id, phone);
    }
    container.append(phone.root);
    const chat = state.chats.get(id);
    if (chat) renderChat(phone, chat);
  }
  renderPeoplePicker();
  renderTabs();
}

function createPhone(person) {
  const root = document.getElementById("phone-template").content.firstElementChild.cloneNode(true);
  root.dataset.person = String(person.id);
  root.classList.toggle("staff", person.staff);
  root.querySelector(".person-name").textContent = person.name;
  root.querySelector(".role").textContent = person.staff ? "Petugas · admin" : "Peserta";
  const phone = {
    id: person.id,
    person,
    root,
    chat: root.querySelector(".chat"),
    status: root.querySelector(".status"),
    replyKb: root.querySelector(".reply-kb"),
    input: root.querySelector(".message"),
    menu: root.querySelector(".menu-list"),
    nodes: new Map(), // message id -> {signature, node}
    seenAnswers: null,
    seenActions: null,
    seenMessages: null,
    typingTimer: null,
    commands: [],
  };
  root.querySelector(".close").addEventListener("click", () => closePhone(person.id));
  root.querySelector(".composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = phone.input.value;
    if (!text.trim()) return;
    phone.input.value = "";
    await send(phone, "text", { text });
  });
  const file = root.querySelector(".file");
  root.querySelector(".attach").addEventListener("click", () => file.click());
  file.addEventListener("change", async () => {
    if (!file.files.length) return;
    const form = new FormData();
    form.append("file", file.files[0]);
    file.value = "";
    await send(phone, "document", form);
  });
  root.querySelector(".menu-button").addEventListener("click", () => {
    phone.menu.hidden = !phone.menu.hidden;
  });
  root.querySelector(".alert-ok").addEventListener("click", () => {
    root.querySelector(".alert").hidden = true;
  });
  renderExamples(phone);
  return phone;
}

async function send(phone, what, body) {
  try {
    await api(`/api/chats/${phone.id}/${what}`, body);
  } catch (error) {
    showToast(phone, "Tidak terkirim: " + error.message);
  }
}

function renderExamples(phone) {
  const chips = phone.root.querySelector(".chips");
  const person = phone.person;
  const fill = (label, value) => {
    const button = el("button");
    button.type = "button";
    button.append(el("b", null, label), document.createTextNode(value));
    button.addEventListener("click", () => {
      phone.input.value = value;
      phone.input.focus();
    });
    chips.append(button);
  };
  if (person.staff) {
    const catalogue = el("button", null, "📄 Kirim katalog contoh (CSV)");
    catalogue.type = "button";
    catalogue.dataset.action = "sample-catalogue";
    catalogue.addEventListener("click", () => send(phone, "sample-catalogue", {}));
    chips.append(catalogue);
    for (const command of ["/laporan", "/selesai", "/siaran", "/cari", "/staf"]) fill("", command);
    return;
  }
  fill("Nama", person.name);
  fill("NIK", person.nik);
  fill("KPJ", person.kpj);
  fill("HP", "0" + person.phone.slice(3));
  fill("Kota", "Kota Bandung");
  fill("Perusahaan", "PT Maju Jaya Sentosa");
  const layoff = botNow() === null ? new Date() : new Date(botNow());
  layoff.setMonth(layoff.getMonth() - 3);
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, day: "2-digit", month: "2-digit", year: "numeric" })
    .format(layoff).split("/");
  fill("Tanggal PHK", parts.join("-"));
}

function renderCommands(phone, commands) {
  const key = JSON.stringify(commands);
  if (phone.commandsKey === key) return;
  phone.commandsKey = key;
  phone.menu.replaceChildren();
  for (const command of commands) {
    const button = el("button");
    button.type = "button";
    button.append(el("span", "cmd", "/" + command.command), el("span", null, command.description));
    button.addEventListener("click", () => {
      phone.menu.hidden = true;
      send(phone, "text", { text: "/" + command.command });
    });
    phone.menu.append(button);
  }
}

// ---------------------------------------------------------------- a chat

function renderChat(phone, chat) {
  const box = phone.chat;
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  // The keyboard first: it changes the chat's height, and the scroll below must see the final one.
  renderReplyKeyboard(phone, chat.keyboard);
  const wanted = [];
  const keep = new Map();
  let lastDay = null;
  for (const message of chat.messages) {
    const day = dayFormat.format(new Date(message.date * 1000));
    if (day !== lastDay) {
      wanted.push(el("div", "day", day));
      lastDay = day;
    }
    const signature = JSON.stringify(message);
    const known = phone.nodes.get(message.id);
    let node;
    if (known && known.signature === signature) {
      node = known.node;
      node.classList.remove("fresh");
    } else {
      node = renderMessage(phone, message);
      if (phone.seenMessages !== null) node.classList.add("fresh");
    }
    keep.set(message.id, { signature, node });
    wanted.push(node);
  }
  phone.nodes = keep;
  if (!wanted.length) {
    wanted.push(el("div", "empty", phone.person.staff
      ? "Chat petugas (admin). Ketik /start, lalu coba /laporan, /selesai atau kirim katalog contoh."
      : "Chat peserta. Ketik /start atau pilih Menu untuk mulai."));
  }
  box.replaceChildren(...wanted);
  if (nearBottom || phone.seenMessages === null || chat.messages.length > phone.seenMessages) {
    box.scrollTop = box.scrollHeight;
  }
  renderCommands(phone, chat.commands);
  renderActivity(phone, chat);
}

function renderActivity(phone, chat) {
  if (phone.seenAnswers !== null && chat.answers > phone.seenAnswers && chat.answer) {
    if (chat.answer.alert) {
      phone.root.querySelector(".alert-text").textContent = chat.answer.text;
      phone.root.querySelector(".alert").hidden = false;
    } else {
      showToast(phone, chat.answer.text);
    }
  }
  const grew = phone.seenMessages !== null && chat.messages.length > phone.seenMessages;
  if (phone.seenActions !== null && chat.actions > phone.seenActions) {
    const labels = { typing: "mengetik…", upload_photo: "mengirim foto…", upload_document: "mengirim berkas…" };
    setStatus(phone, labels[chat.action] || "sedang memproses…", 5000);
  } else if (grew) {
    setStatus(phone, "bot", 0);
  }
  phone.seenAnswers = chat.answers;
  phone.seenActions = chat.actions;
  phone.seenMessages = chat.messages.length;
}

function setStatus(phone, text, resetAfter) {
  phone.status.textContent = text;
  phone.status.classList.toggle("typing", text !== "bot");
  clearTimeout(phone.typingTimer);
  if (resetAfter) phone.typingTimer = setTimeout(() => setStatus(phone, "bot", 0), resetAfter);
}

function showToast(phone, text) {
  const toast = phone.root.querySelector(".toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(phone.toastTimer);
  phone.toastTimer = setTimeout(() => { toast.hidden = true; }, 2500);
}

function renderReplyKeyboard(phone, keyboard) {
  const key = JSON.stringify(keyboard);
  if (phone.keyboardKey === key) return;
  phone.keyboardKey = key;
  phone.replyKb.replaceChildren();
  phone.replyKb.hidden = !keyboard;
  phone.input.placeholder = (keyboard && keyboard.placeholder) || "Tulis pesan…";
  if (!keyboard) return;
  for (const row of keyboard.rows) {
    const line = el("div", "row");
    for (const button of row) {
      const node = el("button", button.contact ? "contact-button" : null, button.text);
      node.type = "button";
      node.dataset.text = button.text;
      node.addEventListener("click", () => send(phone, "reply", { text: button.text }));
      line.append(node);
    }
    phone.replyKb.append(line);
  }
}

function renderMessage(phone, message) {
  const wrap = el("div", "msg" + (message.mine ? " mine" : ""));
  wrap.dataset.messageId = String(message.id);
  const bubble = el("div", "bubble");
  // In a group, who wrote it (as Telegram shows above the bubble of someone else's message).
  if (message.sender && !message.mine) bubble.append(el("div", "sender", message.sender));
  if (message.kind === "photo") {
    const link = el("a", "photo");
    link.href = message.file.url;
    link.target = "_blank";
    link.rel = "noopener";
    const image = el("img");
    image.src = message.file.url;
    image.alt = "foto";
    link.append(image);
    bubble.append(link);
  } else if (message.kind === "document") {
    const link = el("a", "doc");
    link.href = message.file.url;
    const pdf = message.file.mime === "application/pdf";
    if (pdf) {
      // A PDF (a certificate) opens in a new tab, as a phone opens it in its viewer.
      link.target = "_blank";
      link.rel = "noopener";
    } else {
      link.download = message.file.name;
    }
    const extension = (message.file.name.split(".").pop() || "file").slice(0, 4);
    const info = el("div");
    info.append(el("div", "doc-name", message.file.name), el("div", "doc-size", formatSize(message.file.size)));
    link.append(el("span", "doc-icon", extension), info);
    bubble.append(link);
    if (pdf) {
      const save = el("a", "doc-save", "unduh");
      save.href = message.file.url;
      save.download = message.file.name;
      bubble.append(save);
    }
  } else if (message.kind === "contact") {
    const card = el("div", "contact");
    const info = el("div");
    info.append(el("div", "doc-name", message.contact.name), el("div", "doc-size", message.contact.phone));
    card.append(el("span", "doc-icon", "👤"), info);
    bubble.append(card);
  } else if (message.kind !== "text" && message.text === undefined) {
    bubble.append(el("div", "text", "[" + message.kind + "]"));
  }
  if (message.text !== undefined) {
    const text = el("div", "text");
    renderEntities(text, message.text, message.entities || []);
    bubble.append(text);
  }
  if (message.kind === "photo" && !message.mine) {
    const scan = renderScan(phone, message);
    if (scan) bubble.append(scan);
  }
  const meta = el("span", "meta", (message.edited ? "diedit " : "") + timeFormat.format(new Date(message.date * 1000)));
  (bubble.lastElementChild || bubble).append(meta);
  wrap.append(bubble);
  if (message.buttons && phone) wrap.append(renderInlineKeyboard(phone, message));
  return wrap;
}

// A QR code the bot sent (the venue's attendance QR, with its t.me link in the caption): another person's phone
// "scans" it, as the phone camera would open the link: Telegram then sends /start <parameter> from that phone.
const DEEP_LINK = /https:\/\/t\.me\/[A-Za-z0-9_]+\?start=([A-Za-z0-9_-]{1,64})/;

function renderScan(phone, message) {
  const found = DEEP_LINK.exec(message.text || "");
  if (!found) return null;
  const others = [...state.people.values()].filter((person) => !person.staff && person.id !== (phone && phone.id));
  if (!others.length) return null;
  const box = el("div", "scan");
  box.append(el("span", null, "📷 Pindai dengan ponsel:"));
  for (const person of others) {
    const node = el("button", null, person.name);
    node.type = "button";
    node.addEventListener("click", async () => {
      openPhone(person.id);
      await send(state.phones.get(person.id), "text", { text: "/start " + found[1] });
    });
    box.append(node);
  }
  return box;
}

function renderInlineKeyboard(phone, message) {
  const keyboard = el("div", "inline-kb");
  for (const row of message.buttons) {
    const line = el("div", "row");
    for (const button of row) {
      if (button.url) {
        const link = el("a", null, button.text + " ↗");
        link.href = button.url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        line.append(link);
        continue;
      }
      const node = el("button", null, button.text);
      node.type = "button";
      node.disabled = !button.data;
      node.addEventListener("click", async () => {
        node.disabled = true;
        await send(phone, "press", { message_id: message.id, data: button.data });
        setTimeout(() => { node.disabled = false; }, 600);
      });
      line.append(node);
    }
    keyboard.append(line);
  }
  return keyboard;
}

function formatSize(bytes) {
  if (bytes < 1024) return bytes + " B";
  if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
  return (bytes / 1024 / 1024).toFixed(1) + " MB";
}

// ---------------------------------------------------------------- Telegram entities -> DOM

const ENTITY_TAGS = {
  bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
  blockquote: "blockquote", expandable_blockquote: "blockquote", spoiler: "span", text_link: "a", url: "a",
};

function renderEntities(parent, text, entities) {
  // Offsets are UTF-16 code units, the unit of JavaScript strings. Entities nest; a child never leaves its parent.
  const sorted = entities
    .filter((e) => ENTITY_TAGS[e.type])
    .slice()
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  build(parent, text, sorted, 0, text.length);
}

function build(parent, text, entities, start, end) {
  let cursor = start;
  let index = 0;
  while (index < entities.length) {
    const entity = entities[index];
    const from = Math.max(entity.offset, cursor);
    const to = Math.min(entity.offset + entity.length, end);
    const children = [];
    index += 1;
    while (index < entities.length && entities[index].offset < entity.offset + entity.length) {
      children.push(entities[index]);
      index += 1;
    }
    if (from >= to) continue;
    if (from > cursor) parent.append(document.createTextNode(text.slice(cursor, from)));
    const node = entityNode(entity, text.slice(from, to));
    build(node, text, children, from, to);
    parent.append(node);
    cursor = to;
  }
  if (cursor < end) parent.append(document.createTextNode(text.slice(cursor, end)));
}

function entityNode(entity, content) {
  const node = el(ENTITY_TAGS[entity.type]);
  if (entity.type === "spoiler") {
    node.className = "spoiler";
    node.addEventListener("click", () => node.classList.add("shown"));
  }
  if (entity.type === "text_link" || entity.type === "url") {
    const href = entity.type === "url" ? content : entity.url;
    if (/^(https?:|mailto:|tg:)/i.test(href || "")) {
      node.href = href;
      node.target = "_blank";
      node.rel = "noopener noreferrer";
    }
  }
  return node;
}

// ---------------------------------------------------------------- the helpdesk group ("Grup Petugas")

// Dewi's side of the help desk: the tickets' forum topics (one open at a time) and what she writes in them.
const group = {
  snapshot: null,
  nodes: new Map(), // message id -> {signature, node}
  shownThread: null, // the topic whose messages are on screen
  seenMessages: null,
  toastTimer: null,
};
const TOPIC_COMMANDS = [
  ["/tutup", "tutup tiket"],
  ["/catatan ", "catatan internal"],
  ["/jawab ", "jawaban tersimpan (FAQ)"],
  ["/ambil", "ambil tiket"],
];
const SERVICE_TEXTS = {
  created: (name) => `Topik “${name}” dibuat`,
  edited: (name) => `Nama topik diganti: “${name}”`,
  closed: () => "Topik ditutup",
  reopened: () => "Topik dibuka lagi",
};

function groupToast(text) {
  const toast = document.getElementById("group-toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(group.toastTimer);
  group.toastTimer = setTimeout(() => { toast.hidden = true; }, 3000);
}

function renderTopicList(snapshot) {
  const list = document.getElementById("group-topics");
  const items = snapshot.topics.map((topic) => {
    const item = el("button", "topic-item" + (topic.id === snapshot.open ? " active" : ""));
    item.type = "button";
    item.dataset.thread = String(topic.id);
    if (topic.id === snapshot.open) item.setAttribute("aria-current", "true");
    const dot = el("span", "topic-dot");
    dot.style.background = topic.color;
    const label = topic.general ? "General" : topic.name;
    const name = el("span", "topic-item-name", (topic.closed ? "🔒 " : "") + label);
    item.append(dot, name);
    if (topic.unread) item.append(el("span", "unread", String(topic.unread)));
    item.addEventListener("click", async () => {
      try {
        await api(`/api/group/topics/${topic.id}/open`, {});
      } catch (error) {
        groupToast("Topik tidak bisa dibuka: " + error.message);
      }
    });
    return item;
  });
  if (!items.length) {
    items.push(el("div", "topics-empty",
      "Belum ada tiket. Di HP peserta, ketik /tanya lalu tulis pertanyaan: topiknya muncul di sini."));
  }
  list.replaceChildren(...items);
}

function renderTopicChat(snapshot) {
  const box = document.getElementById("topic-chat");
  const topic = snapshot.topics.find((t) => t.id === snapshot.open) || null;
  if (group.shownThread !== snapshot.open) {
    group.nodes = new Map();
    group.seenMessages = null;
    group.shownThread = snapshot.open;
  }
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const wanted = [];
  const keep = new Map();
  let lastDay = null;
  for (const message of snapshot.messages) {
    const day = dayFormat.format(new Date(message.date * 1000));
    if (day !== lastDay) {
      wanted.push(el("div", "day", day));
      lastDay = day;
    }
    const signature = JSON.stringify(message);
    const known = group.nodes.get(message.id);
    let node;
    if (known && known.signature === signature) {
      node = known.node;
      node.classList.remove("fresh");
    } else {
      node = message.kind === "service"
        ? el("div", "service", SERVICE_TEXTS[message.service.action](message.service.name || ""))
        : renderMessage(null, message);
      if (group.seenMessages !== null) node.classList.add("fresh");
    }
    keep.set(message.id, { signature, node });
    wanted.push(node);
  }
  group.nodes = keep;
  if (!topic) {
    wanted.push(el("div", "empty", snapshot.topics.length
      ? "Pilih topik untuk membaca tiketnya dan menjawab sebagai Dewi."
      : "Setiap pertanyaan peserta (/tanya) menjadi satu topik di grup ini, dengan kartu tiket dan salinan " +
        "pesannya. Yang Dewi tulis di topik itu sampai ke peserta, bertanda nama petugas."));
  }
  box.replaceChildren(...wanted);
  if (nearBottom || group.seenMessages === null || snapshot.messages.length > group.seenMessages) {
    box.scrollTop = box.scrollHeight;
  }
  group.seenMessages = snapshot.messages.length;
  document.getElementById("topic-head").hidden = !topic;
  document.getElementById("topic-name").textContent = topic ? (topic.general ? "General" : topic.name) : "";
  document.getElementById("topic-closed").hidden = !(topic && topic.closed);
  document.getElementById("topic-composer").hidden = !topic || topic.closed;
  document.getElementById("topic-commands").hidden = !topic || topic.closed || topic.general;
  document.getElementById("topic-locked").hidden = !(topic && topic.closed);
}

function applyGroup(snapshot) {
  const grew = group.snapshot !== null && snapshot.messages.length > group.snapshot.messages.length;
  const unread = (s) => s.topics.reduce((sum, topic) => sum + (topic.unread || 0), 0);
  if (grew || (group.snapshot !== null && unread(snapshot) > unread(group.snapshot))) markUnread(GROUP_TAB);
  group.snapshot = snapshot;
  if (snapshot.writer) document.getElementById("group-writer").textContent = snapshot.writer.name;
  renderTopicList(snapshot);
  renderTopicChat(snapshot);
}

(function setUpGroup() {
  const input = document.getElementById("topic-input");
  const chips = document.getElementById("topic-commands");
  for (const [command, label] of TOPIC_COMMANDS) {
    const button = el("button");
    button.type = "button";
    button.title = label;
    button.append(el("b", null, command.trim()), document.createTextNode(label));
    button.addEventListener("click", () => {
      input.value = command;
      input.focus();
    });
    chips.append(button);
  }
  document.getElementById("topic-composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const thread = group.snapshot && group.snapshot.open;
    const text = input.value;
    if (!thread || !text.trim()) return;
    input.value = "";
    try {
      await api(`/api/group/topics/${thread}/text`, { text });
    } catch (error) {
      input.value = text;
      groupToast("Tidak terkirim: " + error.message);
    }
  });
})();

// ---------------------------------------------------------------- the stream

function applyMeta(meta) {
  state.clockBase = Date.parse(meta.clock);
  state.clockAt = performance.now();
  renderClock();
  setBusy(meta.busy);
  let added = false;
  for (const person of meta.people) {
    if (!state.people.has(person.id)) added = true;
    state.people.set(person.id, person);
  }
  if (!state.started) {
    // The first participant and the admin, side by side.
    const participant = meta.people.find((p) => !p.staff);
    const admin = meta.people.find((p) => p.staff);
    state.open = [participant, admin].filter(Boolean).map((p) => p.id);
    state.active = state.open.length ? state.open[0] : GROUP_TAB;
    renderPhones();
    state.started = true;
  } else if (added) {
    renderPeoplePicker();
  }
}

function applyChat(chat) {
  const before = state.chats.get(chat.id);
  state.chats.set(chat.id, chat);
  const phone = state.phones.get(chat.id);
  if (phone) renderChat(phone, chat);
  if (phone && before && chat.messages.length > before.messages.length) markUnread(chat.id);
}

function connect() {
  const source = new EventSource("/api/events");
  const banner = document.getElementById("connection");
  source.onopen = () => { banner.hidden = true; };
  source.onerror = () => { banner.hidden = false; };
  source.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.type === "meta") applyMeta(data);
    if (data.type === "chat") applyChat(data);
    if (data.type === "group") applyGroup(data);
    document.body.dataset.ready = "true";
  };
}

connect();
