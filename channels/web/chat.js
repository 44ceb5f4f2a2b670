// Web chat for govbot: talks to Rasa's REST channel through the FastAPI app (same origin).
// The conversation is identified by the server's HttpOnly session cookie; the page never names a sender.
(function () {
  "use strict";
  var MAX_CHARS = 500;
  var messages = document.getElementById("messages");
  var typing = document.getElementById("typing");
  var form = document.getElementById("composer");
  var input = document.getElementById("message-input");
  var counter = document.getElementById("counter");
  var inputError = document.getElementById("input-error");

  function scrollDown() { messages.scrollTop = messages.scrollHeight; }

  // Text with http(s) links made clickable; everything goes through text nodes, never HTML.
  function appendLinkified(parent, text) {
    var pattern = /https?:\/\/[^\s，。；）)]+/g, last = 0, match;
    while ((match = pattern.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var link = document.createElement("a");
      link.href = match[0];
      link.textContent = match[0];
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      parent.appendChild(link);
      last = match.index + match[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function bubble(role, text) {
    var row = document.createElement("div");
    row.className = "msg " + role;
    var box = document.createElement("div");
    box.className = "bubble";
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = role === "user" ? "您说：" : "助手：";
    box.appendChild(label);
    row.appendChild(box);
    messages.appendChild(row);
    appendLinkified(box, text);
    scrollDown();
    return box;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text) { node.textContent = text; }
    return node;
  }

  // A knowledge answer from its structure: title, the passages under their section headings, the source.
  // A step of a life event carries its place ("第2步 / 共5步") above the title.
  function renderAnswer(answer, buttons) {
    var box = bubble("bot", "");
    if (answer.step) {
      box.appendChild(element("span", "step-badge", "第" + answer.step.number + "步 / 共" + answer.step.total + "步"));
    }
    box.appendChild(element("strong", "answer-title", answer.title));
    (answer.passages || []).forEach(function (passage) {
      var block = element("div", "passage");
      block.appendChild(element("span", "section-heading", passage.section));
      appendLinkified(block, passage.text);
      if (passage.truncated && answer.source && answer.source.url) {
        var more = element("a", "more", "查看原文");
        more.href = answer.source.url;
        more.target = "_blank";
        more.rel = "noopener noreferrer";
        block.appendChild(more);
      }
      box.appendChild(block);
    });
    if (answer.source) {
      var cite = element("span", "citation");
      appendLinkified(cite, answer.source.text);
      box.appendChild(cite);
    }
    if (buttons.length) { renderButtons(box, buttons); }
    scrollDown();
  }

  // Ticked steps of a life event, kept in this browser only (never sent to the server).
  var TICKS_PREFIX = "govbot.event-ticks.";
  function loadTicks(eventId) {
    try { return JSON.parse(window.localStorage.getItem(TICKS_PREFIX + eventId) || "[]"); } catch (e) { return []; }
  }
  function saveTick(eventId, number, done) {
    var ticks = loadTicks(eventId).filter(function (n) { return n !== number; });
    if (done) { ticks.push(number); }
    try { window.localStorage.setItem(TICKS_PREFIX + eventId, JSON.stringify(ticks)); } catch (e) { /* private mode */ }
    document.querySelectorAll("input.event-tick").forEach(function (box) {
      if (box.dataset.event === eventId && Number(box.dataset.step) === number) {
        box.checked = done;
        box.closest("li").classList.toggle("done", done);
      }
    });
  }

  // How a conditional step stands: still to be asked, skipped ("视情况"), or settled.
  function stepNote(step, plan) {
    if (!step.condition) { return ""; }
    var pending = (plan.pending || []).some(function (p) { return p.number === step.number; });
    if (pending) { return "待确认：" + step.condition; }
    var conditions = plan.conditions || {};
    var answer = conditions[String(step.number)];
    return answer === null || answer === undefined ? "视情况：" + step.condition : "";
  }

  var checklistCount = 0;
  // A life event from its structure: a numbered checklist of the steps (where, how long), the merged
  // materials, the total time and the source.
  function renderEvent(plan, buttons) {
    var box = bubble("bot", "");
    checklistCount += 1;
    box.appendChild(element("strong", "answer-title", plan.title));
    if (plan.summary) { box.appendChild(element("p", "event-summary", plan.summary)); }
    var ticks = loadTicks(plan.event_id);
    var list = element("ol", "event-checklist");
    list.setAttribute("aria-label", plan.title + " 办事清单");
    (plan.steps || []).filter(function (step) { return step.applies !== false; }).forEach(function (step) {
      var item = element("li", "event-step");
      item.value = step.number;
      var tick = document.createElement("input");
      tick.type = "checkbox";
      tick.className = "event-tick";
      tick.id = "event-" + checklistCount + "-step-" + step.number;
      tick.dataset.event = plan.event_id;
      tick.dataset.step = String(step.number);
      tick.checked = ticks.indexOf(step.number) !== -1;
      item.classList.toggle("done", tick.checked);
      tick.addEventListener("change", function () { saveTick(plan.event_id, step.number, tick.checked); });
      var label = document.createElement("label");
      label.htmlFor = tick.id;
      label.appendChild(element("span", "step-title", step.title));
      var details = [step.where, step.duration].filter(Boolean).join(" · ");
      if (details) { label.appendChild(element("span", "step-details", details)); }
      var note = stepNote(step, plan);
      if (note) { label.appendChild(element("span", "step-note", note)); }
      item.appendChild(tick);
      item.appendChild(label);
      list.appendChild(item);
    });
    box.appendChild(list);
    if ((plan.materials || []).length) {
      box.appendChild(element("span", "event-heading", "所需材料（多个步骤都要的只需准备一份）"));
      var materials = element("ul", "event-materials");
      plan.materials.forEach(function (material) {
        var steps = (material.steps || []).join("、");
        materials.appendChild(element("li", "", material.name + (steps ? "（第" + steps + "步）" : "")));
      });
      box.appendChild(materials);
    }
    if (plan.total_time) { box.appendChild(element("span", "event-total", "合计用时：" + plan.total_time)); }
    if (plan.source) {
      var cite = element("span", "citation");
      appendLinkified(cite, plan.source.text);
      box.appendChild(cite);
    }
    if (buttons.length) { renderButtons(box, buttons); }
    scrollDown();
  }

  function buttonGroup(className, label) {
    var group = document.createElement("div");
    group.className = className;
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", label);
    return group;
  }

  function renderButtons(box, buttons) {
    var choices = buttons.filter(function (b) { return b.payload.indexOf("/feedback_") !== 0; });
    var feedback = buttons.filter(function (b) { return b.payload.indexOf("/feedback_") === 0; });
    if (choices.length) {
      var group = buttonGroup("choices", "请选择");
      choices.forEach(function (b) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = b.title;
        button.addEventListener("click", function () { send(b.payload, b.title); });
        group.appendChild(button);
      });
      box.appendChild(group);
    }
    if (feedback.length) {
      var rate = buttonGroup("choices feedback", "这个回答有用吗");
      feedback.forEach(function (b) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = b.payload === "/feedback_positive" ? "👍 有用" : "👎 没用";
        button.setAttribute("aria-label", b.payload === "/feedback_positive" ? "有用" : "没用");
        button.setAttribute("aria-pressed", "false");
        button.dataset.feedback = b.payload === "/feedback_positive" ? "up" : "down";
        button.addEventListener("click", function () {
          rate.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
          button.setAttribute("aria-pressed", "true");
          send(b.payload, button.textContent);
        });
        rate.appendChild(button);
      });
      box.appendChild(rate);
    }
  }

  function renderBot(message) {
    var custom = message.custom || {};
    var buttons = message.buttons || [];
    if (custom.type === "answer" || custom.type === "event_step") { renderAnswer(custom, buttons); return; }
    if (custom.type === "event") { renderEvent(custom, buttons); return; }
    var text = custom.type === "clarify" || custom.type === "fallback" || custom.type === "related" ? custom.message : message.text;
    var box = bubble("bot", text || "");
    if (buttons.length) { renderButtons(box, buttons); }
  }

  // Rasa's REST channel sends an utterance's custom payload as a message of its own right after the
  // utterance's text and buttons: join them again, so each reply renders from its structure.
  function joined(list) {
    var out = [];
    list.forEach(function (message) {
      var last = out[out.length - 1];
      var loneCustom = message.custom && !message.text && !(message.buttons && message.buttons.length);
      if (loneCustom && last && !last.custom) { last.custom = message.custom; } else { out.push(Object.assign({}, message)); }
    });
    return out;
  }

  function showError(payload, display) {
    var row = document.createElement("div");
    row.className = "msg error";
    var box = document.createElement("div");
    box.className = "bubble";
    box.textContent = "网络连接失败，消息未送达。";
    var retry = document.createElement("button");
    retry.type = "button";
    retry.textContent = "重试";
    retry.addEventListener("click", function () { row.remove(); post(payload); });
    box.appendChild(retry);
    row.appendChild(box);
    messages.appendChild(row);
    scrollDown();
    retry.focus();
  }

  function setBusy(busy) {
    typing.hidden = !busy;
    document.getElementById("send").disabled = busy;
  }

  function post(payload, display) {
    setBusy(true);
    return fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ message: payload })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.detail || "error"); }
        return body;
      });
    }).then(function (body) {
      setBusy(false);
      if (!body.length) { renderBot({ text: "抱歉，我暂时无法回答，请稍后再试或拨打 12345。" }); }
      joined(body).forEach(renderBot);
    }).catch(function () {
      setBusy(false);
      showError(payload, display);
    });
  }

  function send(payload, display) {
    bubble("user", display || payload);
    return post(payload, display);
  }

  function updateCounter() {
    counter.textContent = input.value.length + "/" + MAX_CHARS;
    inputError.textContent = input.value.length >= MAX_CHARS ? "最多输入 " + MAX_CHARS + " 个字，请精简您的问题。" : "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { inputError.textContent = "请输入您的问题。"; return; }
    if (text.length > MAX_CHARS) { inputError.textContent = "最多输入 " + MAX_CHARS + " 个字，请精简您的问题。"; return; }
    input.value = "";
    updateCounter();
    send(text);
  });
  input.addEventListener("input", updateCounter);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); form.requestSubmit(); }
  });
  document.querySelectorAll("[data-ask]").forEach(function (button) {
    button.addEventListener("click", function () { send(button.dataset.ask); });
  });

  fetch("/api/history").then(function (r) { return r.ok ? r.json() : []; })
    .then(function (history) {
      if (!history.length) {
        renderBot({ text: "您好！我是示例市政务服务智能助手。请问您想办理什么业务？可以直接输入问题，或点击上方的常办事项。" });
        return;
      }
      history.forEach(function (item) {
        if (item.role === "user") { bubble("user", item.text); } else { renderBot(item); }
      });
    }).catch(function () { /* history is optional */ });
})();
