// Kelisim playground: a Telegram-like private chat driven by the emulator's control API.
// Only the server's entity renderer ("html" of an event) goes into innerHTML: it escapes all
// text and emits a fixed set of tags. Everything else is set with textContent.
"use strict";

(function () {
  const CITIES = [
    ["Astana", 51.1694, 71.4491],
    ["Almaty", 43.2389, 76.8897],
    ["Shymkent", 42.3417, 69.5901],
    ["Karaganda", 49.8047, 73.1094],
    ["Aktobe", 50.2839, 57.167],
    ["Oskemen (Ust-Kamenogorsk)", 49.9483, 82.6279],
    ["Pavlodar", 52.2873, 76.9674],
    ["Atyrau", 47.1167, 51.8833],
  ];
  const STICKERS = ["👍", "😀", "🙏", "❤️"];
  const POLL_TIMEOUT = 25;
  const STALE_EVERY_MS = 5000; // how often the stale translations are asked for again

  const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
  const el = {
    userSelect: $("user-select"),
    addUserButton: $("add-user-button"),
    addUserForm: $("add-user-form"),
    newUserName: $("new-user-name"),
    newUserLanguage: $("new-user-language"),
    newUserCancel: $("new-user-cancel"),
    botName: $("bot-name"),
    botStatus: $("bot-status"),
    staleCount: $("stale-count"),
    chat: $("chat"),
    emptyChat: $("empty-chat"),
    botDescription: $("bot-description"),
    startButton: $("start-button"),
    toast: $("toast"),
    alertDialog: $("alert-dialog"),
    alertTitle: $("alert-title"),
    alertText: $("alert-text"),
    alertOk: $("alert-ok"),
    locationPicker: $("location-picker"),
    cityList: $("city-list"),
    coordsForm: $("coords-form"),
    latitudeInput: $("latitude-input"),
    longitudeInput: $("longitude-input"),
    locationCancel: $("location-cancel"),
    commandsMenu: $("commands-menu"),
    commandsButton: $("commands-button"),
    replyKeyboard: $("reply-keyboard"),
    keyboardToggle: $("keyboard-toggle"),
    composer: $("composer"),
    input: $("message-input"),
    attachLocation: $("attach-location-button"),
    stickerButton: $("sticker-button"),
    photoButton: $("photo-button"),
  };

  const state = {
    users: [],
    userId: null,
    lastSeq: 0,
    generation: 0,
    abort: null,
    bot: null,
    keyboard: null, // the ReplyKeyboardMarkup in force, if any
    keyboardVisible: false,
    typingTimer: null,
    toastTimer: null,
    stickerIndex: 0,
    stale: [], // stale translations: {item, language, kind, shown}, from /control/translations
    // A user being added or chosen: what is typed meanwhile waits for it, so a fast hand
    // (or a test) never sends to the user shown before, or to nobody.
    switching: Promise.resolve(),
  };

  // --- HTTP helpers -----------------------------------------------------------------------

  async function api(path, options) {
    const init = Object.assign({ headers: {} }, options || {});
    if (init.json !== undefined) {
      init.method = init.method || "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(init.json);
      delete init.json;
    }
    const response = await fetch(path, init);
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(body.error || `${response.status} ${response.statusText}`);
    }
    return body;
  }

  function userPath(suffix) {
    return `/control/users/${encodeURIComponent(state.userId)}${suffix}`;
  }

  async function post(suffix, json) {
    await state.switching;
    try {
      return await api(userPath(suffix), { json });
    } catch (error) {
      showToast(`⚠ ${error.message}`);
      return null;
    }
  }

  // --- small UI helpers ---------------------------------------------------------------------

  function node(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined && text !== null) element.textContent = text;
    return element;
  }

  function timeOf(unixSeconds) {
    const date = unixSeconds ? new Date(unixSeconds * 1000) : new Date();
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function scrollToBottom() {
    el.chat.scrollTop = el.chat.scrollHeight;
  }

  function showToast(text) {
    el.toast.textContent = text;
    el.toast.hidden = false;
    clearTimeout(state.toastTimer);
    state.toastTimer = setTimeout(() => {
      el.toast.hidden = true;
    }, 3000);
  }

  function showAlert(text) {
    el.alertTitle.textContent = state.bot ? state.bot.first_name : "Bot";
    el.alertText.textContent = text;
    el.alertDialog.hidden = false;
    el.alertOk.focus();
  }

  function setTyping(action) {
    clearTimeout(state.typingTimer);
    if (!action) {
      el.botStatus.textContent = "bot";
      el.botStatus.classList.remove("typing");
      return;
    }
    const labels = { typing: "typing…", find_location: "choosing a location…" };
    el.botStatus.textContent = labels[action] || `${action.replace(/_/g, " ")}…`;
    el.botStatus.classList.add("typing");
    // Telegram shows a chat action for at most five seconds or until the next message.
    state.typingTimer = setTimeout(() => setTyping(null), 5000);
  }

  // --- rendering messages -------------------------------------------------------------------

  function findMessage(messageId) {
    return el.chat.querySelector(`.msg[data-message-id="${Number(messageId)}"]`);
  }

  function renderInlineKeyboard(container, messageId, markup) {
    const old = container.querySelector(".inline-keyboard");
    if (old) old.remove();
    if (!markup || !Array.isArray(markup.inline_keyboard)) return;
    const keyboard = node("div", "inline-keyboard");
    keyboard.dataset.testid = "inline-keyboard";
    for (const row of markup.inline_keyboard) {
      const rowElement = node("div", "inline-row");
      for (const button of row) {
        const buttonElement = node("button", "inline-button", button.text);
        buttonElement.type = "button";
        buttonElement.dataset.testid = "inline-button";
        if (button.callback_data !== undefined) {
          buttonElement.dataset.callbackData = button.callback_data;
          buttonElement.addEventListener("click", () =>
            pressInlineButton(buttonElement, messageId, button.callback_data),
          );
        } else if (button.url !== undefined) {
          buttonElement.dataset.url = button.url;
          buttonElement.appendChild(node("span", "kind", "↗"));
          buttonElement.addEventListener("click", () => openUrl(button.url));
        } else {
          buttonElement.addEventListener("click", () =>
            showToast("This button type is not simulated in the playground"),
          );
        }
        rowElement.appendChild(buttonElement);
      }
      keyboard.appendChild(rowElement);
    }
    container.appendChild(keyboard);
  }

  function openUrl(url) {
    if (/^https?:\/\//i.test(url)) {
      window.open(url, "_blank", "noopener,noreferrer");
    } else {
      showToast(`Link: ${url}`);
    }
  }

  async function pressInlineButton(button, messageId, data) {
    button.classList.add("pending");
    await post("/callback", { message_id: messageId, data });
    setTimeout(() => button.classList.remove("pending"), 400);
  }

  function fillBubble(bubble, event) {
    bubble.replaceChildren();
    if (event.reply_to_message_id) {
      const replied = findMessage(event.reply_to_message_id);
      const quoted = replied ? replied.querySelector(".text") : null;
      bubble.appendChild(node("div", "reply-quote", quoted ? quoted.textContent : "…"));
    }
    if (event.venue || event.location) {
      const card = node("div", "location-card");
      card.appendChild(node("span", "pin"));
      if (event.venue) {
        card.appendChild(node("span", "venue-title", event.venue.title));
        card.appendChild(node("span", "venue-address", event.venue.address));
      } else {
        card.appendChild(node("span", "", cityName(event.location) || "Location"));
      }
      const where = event.location || event.venue.location;
      card.appendChild(
        node("span", "coords-text", `${where.latitude.toFixed(4)}, ${where.longitude.toFixed(4)}`),
      );
      card.dataset.testid = "location-card";
      bubble.appendChild(card);
    } else if (event.contact) {
      const card = node("div", "location-card");
      card.appendChild(node("span", "venue-title", `📞 ${event.contact.first_name}`));
      card.appendChild(node("span", "venue-address", event.contact.phone_number));
      card.dataset.testid = "contact-card";
      bubble.appendChild(card);
    } else if (event.sticker) {
      bubble.appendChild(node("span", "text", event.sticker.emoji || "🖼"));
    } else {
      const text = node("div", "text");
      text.dataset.testid = "message-text";
      if (event.photo) {
        text.textContent = event.text ? `🖼 Photo\n${event.text}` : "🖼 Photo";
      } else if (event.direction === "out") {
        // Server-rendered from entities: escaped text and a fixed set of tags only.
        text.innerHTML = event.html;
      } else {
        text.textContent = event.text;
      }
      bubble.appendChild(text);
    }
    const meta = node("span", "meta");
    if (event.edited) {
      const edited = node("span", "edited", "edited");
      edited.dataset.testid = "edited-label";
      meta.appendChild(edited);
    }
    meta.appendChild(document.createTextNode(timeOf(event.date)));
    bubble.appendChild(meta);
  }

  function cityName(location) {
    const city = CITIES.find(
      ([, lat, lon]) =>
        Math.abs(lat - location.latitude) < 1e-4 && Math.abs(lon - location.longitude) < 1e-4,
    );
    return city ? city[0] : null;
  }

  function addMessage(event) {
    const wrapper = node("div", `msg ${event.direction}`);
    wrapper.dataset.messageId = String(event.message_id);
    wrapper.dataset.testid = event.direction === "out" ? "bot-message" : "user-message";
    wrapper.dataset.kind = event.kind;
    if (event.sticker) wrapper.classList.add("sticker");
    const bubble = node("div", "bubble");
    fillBubble(bubble, event);
    wrapper.appendChild(bubble);
    if (event.direction === "out") {
      renderInlineKeyboard(wrapper, event.message_id, event.reply_markup);
    }
    el.chat.appendChild(wrapper);
  }

  function editMessage(event) {
    const wrapper = findMessage(event.message_id);
    if (!wrapper) {
      addMessage(event);
      return;
    }
    fillBubble(wrapper.querySelector(".bubble"), event);
    renderInlineKeyboard(wrapper, event.message_id, event.reply_markup);
  }

  function applyReplyMarkup(markup) {
    if (!markup) return;
    if (Array.isArray(markup.keyboard)) {
      state.keyboard = markup;
      state.keyboardVisible = true;
    } else if (markup.remove_keyboard) {
      state.keyboard = null;
      state.keyboardVisible = false;
    } else if (markup.force_reply) {
      el.input.placeholder = markup.input_field_placeholder || "Reply…";
      el.input.focus();
      return;
    } else {
      return;
    }
    renderReplyKeyboard();
  }

  function renderReplyKeyboard() {
    const keyboard = state.keyboard;
    el.replyKeyboard.replaceChildren();
    el.keyboardToggle.hidden = !keyboard;
    el.input.placeholder = (keyboard && keyboard.input_field_placeholder) || "Message";
    if (!keyboard || !state.keyboardVisible) {
      el.replyKeyboard.hidden = true;
      return;
    }
    for (const row of keyboard.keyboard) {
      const rowElement = node("div", "reply-row");
      for (const raw of row) {
        const button = typeof raw === "string" ? { text: raw } : raw;
        const buttonElement = node("button", "reply-button", button.text);
        buttonElement.type = "button";
        if (button.request_location) {
          buttonElement.dataset.testid = "location-button";
          buttonElement.classList.add("location");
          buttonElement.addEventListener("click", () => openLocationPicker());
        } else if (button.request_contact || button.request_poll || button.request_users ||
                   button.request_chat || button.web_app) {
          buttonElement.dataset.testid = "reply-button";
          buttonElement.addEventListener("click", () =>
            showToast("This button type is not simulated in the playground"),
          );
        } else {
          buttonElement.dataset.testid = "reply-button";
          buttonElement.addEventListener("click", () => {
            if (keyboard.one_time_keyboard) {
              state.keyboardVisible = false;
              renderReplyKeyboard();
            }
            sendText(button.text);
          });
        }
        rowElement.appendChild(buttonElement);
      }
      el.replyKeyboard.appendChild(rowElement);
    }
    el.replyKeyboard.hidden = false;
  }

  function applyEvent(event, live) {
    if (event.seq <= state.lastSeq) return;
    state.lastSeq = event.seq;
    el.emptyChat.hidden = true;
    switch (event.kind) {
      case "message":
      case "location":
      case "venue":
      case "sticker":
      case "photo":
        addMessage(event);
        if (event.direction === "out") {
          setTyping(null);
          applyReplyMarkup(event.reply_markup);
        }
        break;
      case "edit":
        editMessage(event);
        break;
      case "delete": {
        const wrapper = findMessage(event.message_id);
        if (wrapper) wrapper.remove();
        break;
      }
      case "callback_answer":
        if (live && event.text) {
          if (event.show_alert) showAlert(event.text);
          else showToast(event.text);
        }
        break;
      case "chat_action":
        if (live) setTyping(event.action);
        break;
      default:
        break; // "callback" (a button press) leaves no trace in a Telegram chat.
    }
  }

  // --- "needs update": translations whose source text changed since -------------------------

  async function loadStale() {
    try {
      const body = await api("/control/translations");
      state.stale = Array.isArray(body.stale) ? body.stale : [];
    } catch (error) {
      state.stale = [];
    }
    markStale();
  }

  function staleItemsIn(text) {
    return state.stale.filter((entry) => {
      const shown = entry.shown || [];
      if (entry.kind === "page") return shown.length > 0 && text.startsWith(shown[0]);
      if (entry.kind === "text") return shown.some((piece) => text.includes(piece));
      return false;
    });
  }

  function staleLabel(entries) {
    return entries.map((entry) => `${entry.item} (${entry.language})`).join(", ");
  }

  function markStale() {
    for (const wrapper of el.chat.querySelectorAll(".msg.out")) {
      const bubble = wrapper.querySelector(".bubble");
      const old = bubble && bubble.querySelector(".stale-badge");
      if (old) old.remove();
      const text = wrapper.querySelector(".text");
      const found = text ? staleItemsIn(text.textContent) : [];
      if (bubble && found.length) {
        const badge = node("span", "stale-badge", "needs update");
        badge.dataset.testid = "stale-badge";
        badge.title = `The source text changed since this was translated: ${staleLabel(found)}`;
        // At the top: on a long page the label is seen without scrolling back up.
        bubble.insertBefore(badge, bubble.firstChild);
      }
    }
    for (const button of document.querySelectorAll(".inline-button, .reply-button")) {
      const label = button.firstChild ? button.firstChild.textContent : "";
      const found = state.stale.filter(
        (entry) => entry.kind === "button" && (entry.shown || []).includes(label),
      );
      button.classList.toggle("stale", found.length > 0);
      if (found.length) {
        button.dataset.stale = found.map((entry) => entry.item).join(" ");
        button.title = `needs update: ${staleLabel(found)}`;
      } else {
        delete button.dataset.stale;
        button.removeAttribute("title");
      }
    }
    const user = state.users.find((item) => String(item.id) === String(state.userId));
    const lang = user ? user.language_code : "";
    const mine = state.stale.filter((entry) => entry.language === lang);
    el.staleCount.hidden = mine.length === 0;
    el.staleCount.textContent = `${mine.length} need${mine.length === 1 ? "s" : ""} update`;
    el.staleCount.title = staleLabel(mine);
  }

  // --- loading and polling --------------------------------------------------------------

  async function selectUser(userId) {
    state.generation += 1;
    const generation = state.generation;
    if (state.abort) state.abort.abort();
    state.userId = userId;
    state.lastSeq = 0;
    state.keyboard = null;
    state.keyboardVisible = false;
    history.replaceState(null, "", `#user=${encodeURIComponent(userId)}`);
    el.chat.querySelectorAll(".msg, .system-note").forEach((item) => item.remove());
    el.commandsMenu.hidden = true;
    renderReplyKeyboard();
    setTyping(null);
    const user = state.users.find((item) => String(item.id) === String(userId));
    try {
      const [events, bot] = await Promise.all([api(userPath("/chat?after=0")), api("/control/bot")]);
      if (generation !== state.generation) return;
      state.bot = bot.me;
      el.botName.textContent = bot.me.first_name;
      const lang = user ? user.language_code : "";
      el.botDescription.textContent = bot.descriptions[lang] || bot.descriptions[""] || "";
      el.emptyChat.hidden = events.length > 0;
      for (const event of events) applyEvent(event, false);
      markStale();
      scrollToBottom();
    } catch (error) {
      showToast(`⚠ ${error.message}`);
    }
    poll(generation);
  }

  async function poll(generation) {
    while (generation === state.generation) {
      const controller = new AbortController();
      state.abort = controller;
      try {
        const events = await api(
          userPath(`/wait?after=${state.lastSeq}&timeout=${POLL_TIMEOUT}&all=1`),
          { signal: controller.signal },
        );
        if (generation !== state.generation) return;
        if (events.length) {
          for (const event of events) applyEvent(event, true);
          markStale();
          scrollToBottom();
        }
      } catch (error) {
        if (generation !== state.generation) return;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  async function loadUsers(selectId) {
    state.users = await api("/control/users");
    el.userSelect.replaceChildren();
    for (const user of state.users) {
      const option = node("option", "", `${user.first_name} · ${user.language_code}`);
      option.value = String(user.id);
      el.userSelect.appendChild(option);
    }
    const fromHash = new URLSearchParams(location.hash.slice(1)).get("user");
    const wanted = selectId || fromHash;
    const known = state.users.find((user) => String(user.id) === String(wanted));
    const chosen = known ? known.id : state.users.length ? state.users[0].id : null;
    if (chosen !== null) {
      el.userSelect.value = String(chosen);
      await selectUser(chosen);
    }
  }

  // --- user actions ---------------------------------------------------------------------

  async function sendText(text) {
    const value = text.trim();
    if (!value || state.userId === null) return;
    el.commandsMenu.hidden = true;
    await post("/messages", { text: value });
  }

  function openLocationPicker() {
    el.latitudeInput.value = "";
    el.longitudeInput.value = "";
    el.locationPicker.hidden = false;
  }

  async function sendLocation(latitude, longitude) {
    el.locationPicker.hidden = true;
    await post("/location", { latitude, longitude });
  }

  async function toggleCommands() {
    if (!el.commandsMenu.hidden) {
      el.commandsMenu.hidden = true;
      return;
    }
    let commands = [];
    try {
      commands = await api(userPath("/commands"));
    } catch (error) {
      showToast(`⚠ ${error.message}`);
      return;
    }
    el.commandsMenu.replaceChildren();
    if (!commands.length) {
      el.commandsMenu.appendChild(node("div", "commands-empty", "The bot has set no commands."));
    }
    for (const command of commands) {
      const item = node("button", "command-item");
      item.type = "button";
      item.dataset.testid = "command-item";
      item.dataset.command = command.command;
      item.appendChild(node("span", "command-name", `/${command.command}`));
      item.appendChild(node("span", "command-description", command.description));
      item.addEventListener("click", () => sendText(`/${command.command}`));
      el.commandsMenu.appendChild(item);
    }
    el.commandsMenu.hidden = false;
  }

  function buildCityList() {
    for (const [name, latitude, longitude] of CITIES) {
      const button = node("button", "");
      button.type = "button";
      button.dataset.testid = "city-button";
      button.dataset.city = name;
      button.appendChild(document.createTextNode(name));
      button.appendChild(node("span", "city-coords", `${latitude}, ${longitude}`));
      button.addEventListener("click", () => sendLocation(latitude, longitude));
      el.cityList.appendChild(button);
    }
  }

  function wireEvents() {
    el.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = el.input.value;
      el.input.value = "";
      sendText(text);
    });
    el.userSelect.addEventListener("change", () => {
      state.switching = selectUser(el.userSelect.value);
    });
    el.addUserButton.addEventListener("click", () => {
      el.addUserForm.hidden = !el.addUserForm.hidden;
      if (!el.addUserForm.hidden) el.newUserName.focus();
    });
    el.newUserCancel.addEventListener("click", () => {
      el.addUserForm.hidden = true;
    });
    el.addUserForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const adding = (async () => {
        const user = await api("/control/users", {
          json: { first_name: el.newUserName.value, language_code: el.newUserLanguage.value },
        });
        el.addUserForm.hidden = true;
        el.newUserName.value = "";
        await loadUsers(user.id);
      })();
      state.switching = adding.catch(() => undefined);
      try {
        await adding;
      } catch (error) {
        showToast(`⚠ ${error.message}`);
      }
    });
    el.startButton.addEventListener("click", () => sendText("/start"));
    el.commandsButton.addEventListener("click", toggleCommands);
    el.attachLocation.addEventListener("click", openLocationPicker);
    el.locationCancel.addEventListener("click", () => {
      el.locationPicker.hidden = true;
    });
    el.coordsForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const latitude = Number(el.latitudeInput.value);
      const longitude = Number(el.longitudeInput.value);
      if (Number.isFinite(latitude) && Number.isFinite(longitude)) {
        sendLocation(latitude, longitude);
      }
    });
    el.stickerButton.addEventListener("click", () => {
      const emoji = STICKERS[state.stickerIndex % STICKERS.length];
      state.stickerIndex += 1;
      post("/sticker", { emoji });
    });
    el.photoButton.addEventListener("click", () => post("/photo", {}));
    el.keyboardToggle.addEventListener("click", () => {
      state.keyboardVisible = !state.keyboardVisible;
      renderReplyKeyboard();
    });
    el.alertOk.addEventListener("click", () => {
      el.alertDialog.hidden = true;
    });
    el.chat.addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target : null;
      const spoiler = target && target.closest(".tg-spoiler");
      if (spoiler) spoiler.classList.add("revealed");
      const quote = target && target.closest("blockquote.expandable");
      if (quote) quote.classList.toggle("open");
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        el.locationPicker.hidden = true;
        el.alertDialog.hidden = true;
        el.commandsMenu.hidden = true;
      }
    });
  }

  buildCityList();
  wireEvents();
  state.switching = loadUsers(null).catch((error) => showToast(`⚠ ${error.message}`));
  loadStale();
  setInterval(loadStale, STALE_EVERY_MS);
})();
