// Staff page: token login, documents, editor with preview and validation, history and rollback,
// review queue, 命中测试 and analytics charts. All text goes into the page through textContent.
(function () {
  "use strict";
  var token = sessionStorage.getItem("govbot.admin.token") || "";
  var etag = null; // ETag of the open document: saves send If-Match, a new document If-None-Match: *
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function api(path, options) {
    options = options || {};
    options.headers = Object.assign({ Authorization: "Bearer " + token }, options.headers || {});
    return fetch(path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.status === 401) { logout(); }
        if (!response.ok) { var e = new Error("HTTP " + response.status); e.body = body; e.status = response.status; throw e; }
        return body;
      });
    });
  }

  function download(path, name) {
    fetch(path, { headers: { Authorization: "Bearer " + token } }).then(function (r) { return r.blob(); }).then(function (blob) {
      var a = el("a", null, { href: URL.createObjectURL(blob), download: name });
      document.body.appendChild(a); a.click(); a.remove();
    });
  }

  function logout() { sessionStorage.removeItem("govbot.admin.token"); $("who").textContent = ""; $("app").hidden = true; $("login").hidden = false; }

  // A visible banner while re-indexing keeps failing (edits are saved but not live yet).
  function checkHealth() {
    fetch("/health").then(function (r) { return r.json(); }).then(function (body) {
      var banner = $("index-health"), degraded = body.status === "degraded";
      banner.hidden = !degraded;
      banner.textContent = degraded ? "索引更新失败，正在自动重试；群众看到的仍是上一版内容。最近的错误：" + ((body.reindex && body.reindex.last_error) || "未知") : "";
    }).catch(function () {});
  }
  checkHealth(); setInterval(checkHealth, 15000);

  function showTab(name) {
    document.querySelectorAll("[role=tab]").forEach(function (b) { b.setAttribute("aria-selected", String(b.dataset.tab === name)); });
    document.querySelectorAll("[role=tabpanel]").forEach(function (p) { p.hidden = p.id !== "tab-" + name; });
    if (name === "review") { loadReview(); }
    if (name === "stats") { loadStats(); }
  }

  function loadDocs() {
    var q = $("doc-search").value.trim();
    api("/admin/documents?page_size=200" + (q ? "&q=" + encodeURIComponent(q) : "")).then(function (body) {
      var rows = $("doc-rows"); rows.textContent = "";
      body.items.forEach(function (d) {
        var tr = el("tr"), link = el("a", d.id, { href: "#", "data-doc": d.id });
        link.addEventListener("click", function (e) { e.preventDefault(); openDoc(d.id); });
        var first = el("td"); first.appendChild(link); tr.appendChild(first);
        [d.title, d.type, d.department, d.updated].forEach(function (v) { tr.appendChild(el("td", v)); });
        rows.appendChild(tr);
      });
    });
  }

  function renderCheck(body) {
    var preview = $("preview"), list = $("problems");
    preview.textContent = ""; list.textContent = "";
    (body.sections || []).forEach(function (s) { preview.appendChild(el("h4", s.heading)); preview.appendChild(el("div", s.text)); });
    (body.problems || []).forEach(function (p) { list.appendChild(el("li", "第 " + p.line + " 行 " + p.field + "：" + p.message)); });
  }

  var checkTimer = null;
  function scheduleCheck() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(function () {
      var id = $("doc-id").value.trim() || "new-document";
      api("/admin/validate/" + encodeURIComponent(id), { method: "POST", headers: { "Content-Type": "text/markdown" }, body: $("doc-text").value })
        .then(renderCheck).catch(function () {});
    }, 300);
  }

  function openDoc(id) {
    api("/admin/documents/" + encodeURIComponent(id)).then(function (body) {
      $("doc-id").value = id; $("doc-text").value = body.markdown; $("save-status").textContent = ""; etag = body.etag;
      showTab("editor"); scheduleCheck(); loadHistory(id);
    });
  }

  function loadHistory(id) {
    api("/admin/documents/" + encodeURIComponent(id) + "/history").then(function (body) {
      var rows = $("history-rows"); rows.textContent = "";
      body.versions.slice().reverse().forEach(function (v) {
        var tr = el("tr");
        [v.version, v.at, v.actor, v.action].forEach(function (x) { tr.appendChild(el("td", x)); });
        var cell = el("td"), button = el("button", "回滚到此版本", { type: "button" });
        button.addEventListener("click", function () {
          api("/admin/documents/" + encodeURIComponent(id) + "/rollback?version=" + v.version, { method: "POST" })
            .then(function () { openDoc(id); $("save-status").textContent = "已回滚到第 " + v.version + " 版并发布。"; });
        });
        cell.appendChild(button); tr.appendChild(cell); rows.appendChild(tr);
      });
    }).catch(function () { $("history-rows").textContent = ""; });
  }

  function save() {
    var id = $("doc-id").value.trim();
    $("save-status").textContent = "正在保存并更新索引……";
    var condition = etag ? { "If-Match": etag } : { "If-None-Match": "*" };
    api("/admin/documents/" + encodeURIComponent(id), { method: "PUT", headers: Object.assign({ "Content-Type": "text/markdown" }, condition), body: $("doc-text").value })
      .then(function (body) {
        etag = body.etag;
        $("save-status").textContent = (body.indexed ? "已保存（第 " + body.version + " 版），已上线。" : "已保存，索引更新中：" + (body.index_error || ""))
          + (body.scope_rule && body.scope_rule.message ? " 注意：" + body.scope_rule.message : "");
        loadHistory(id); loadDocs();
      }).catch(function (e) {
        var detail = e.body && e.body.detail;
        $("save-status").textContent = "保存失败：" + (detail && detail.message ? detail.message : (typeof detail === "string" ? detail : e.message));
        if (detail && detail.problems) { renderCheck({ problems: detail.problems, sections: [] }); }
      });
  }

  function loadReview() {
    api("/admin/review").then(function (body) {
      var box = $("review-groups"); box.textContent = "";
      if (!body.groups.length) { box.appendChild(el("p", "暂无待处理问题。")); }
      body.groups.forEach(function (g) {
        var div = el("div", null, { class: "group" });
        div.appendChild(el("strong", "问题组 " + g.id + "（" + g.size + " 条）"));
        div.appendChild(el("p", g.questions.join("；")));
        var input = el("input", null, { placeholder: "关联到文档编号", "aria-label": "关联到文档编号" });
        var link = el("button", "关联并加入问法", { type: "button" });
        link.addEventListener("click", function () {
          api("/admin/review/link", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ group_id: g.id, doc_id: input.value.trim() }) })
            .then(loadReview).catch(function (e) { alert((e.body && e.body.detail) || e.message); });
        });
        var resolve = el("button", "标记已处理", { type: "button" });
        resolve.addEventListener("click", function () {
          api("/admin/review/resolve", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ group_id: g.id }) }).then(loadReview);
        });
        div.appendChild(input); div.appendChild(link); div.appendChild(resolve);
        box.appendChild(div);
      });
    });
  }

  function hitTest() {
    api("/admin/search-test?q=" + encodeURIComponent($("hit-q").value)).then(function (body) {
      var box = $("hit-result"); box.textContent = "";
      box.appendChild(el("p", "决策：" + body.decision + "，置信度 " + body.confidence));
      var table = el("table"), head = el("tr");
      ["排名", "文档", "章节", "分数", "置信度", "向量", "BM25", "片段"].forEach(function (h) { head.appendChild(el("th", h)); });
      table.appendChild(head);
      body.results.forEach(function (r, i) {
        var tr = el("tr");
        [i + 1, r.title + "（" + r.doc_id + "）", r.section, r.score.toFixed(3), r.confidence.toFixed(2), r.dense.toFixed(3), r.bm25.toFixed(2), r.snippet]
          .forEach(function (x) { tr.appendChild(el("td", x)); });
        table.appendChild(tr);
      });
      box.appendChild(table);
    });
  }

  var HEAD = "---\nid: \ntype: {type}\ntitle: \ndepartment: \nregion: 示例市\naudience: [个人]\nupdated: {today}\n";
  var TEMPLATES = {
    guide: HEAD.replace("{type}", "guide") + "---\n\n## 申请材料\n\n## 办理流程\n",
    policy: HEAD.replace("{type}", "policy") + "---\n\n## 适用对象\n\n## 支持内容\n",
    faq: HEAD.replace("{type}", "faq") + "---\n\n## 问题\n\n回答。\n",
    event: HEAD.replace("{type}", "event") + "steps:\n  - guide: \n  - guide: \n    condition: \n    ask: \n---\n\n一段简短的概述：这件事要依次办理哪些事项。\n"
  };

  function barChart(title, items, cls) {
    var ns = "http://www.w3.org/2000/svg", width = 560, barH = 22, max = Math.max.apply(null, items.map(function (i) { return i.value; }).concat([1]));
    var wrap = el("figure"); wrap.appendChild(el("figcaption", title));
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", width); svg.setAttribute("height", items.length * barH + 4);
    svg.setAttribute("role", "img"); svg.setAttribute("aria-label", title);
    items.forEach(function (item, i) {
      var label = document.createElementNS(ns, "text"); label.setAttribute("x", 0); label.setAttribute("y", i * barH + 15);
      label.setAttribute("class", "axis"); label.textContent = item.label; svg.appendChild(label);
      var rect = document.createElementNS(ns, "rect"); rect.setAttribute("x", 170); rect.setAttribute("y", i * barH + 3);
      rect.setAttribute("height", barH - 6); rect.setAttribute("width", Math.max(1, (width - 230) * item.value / max));
      rect.setAttribute("class", "bar " + (item.cls || cls || "")); svg.appendChild(rect);
      var value = document.createElementNS(ns, "text"); value.setAttribute("x", 175 + (width - 230) * item.value / max);
      value.setAttribute("y", i * barH + 15); value.setAttribute("class", "axis"); value.textContent = item.text || item.value; svg.appendChild(value);
    });
    wrap.appendChild(svg);
    return wrap;
  }

  function query() {
    var parts = [];
    if ($("from").value) { parts.push("from=" + $("from").value); }
    if ($("to").value) { parts.push("to=" + $("to").value); }
    return parts.length ? "?" + parts.join("&") : "";
  }

  function loadStats() {
    api("/admin/analytics" + query()).then(function (f) {
      var box = $("stats"); box.textContent = "";
      var figures = el("div", null, { class: "figures" });
      [["消息数", f.messages], ["满意度", f.satisfaction.share === null ? "—" : Math.round(f.satisfaction.share * 100) + "%"],
       ["响应时间中位数", f.median_response_ms === null ? "—" : f.median_response_ms + " ms"],
       ["转人工", f.outcomes.handoff.count]].forEach(function (x) {
        var d = el("div", null, { class: "figure" }); d.appendChild(el("strong", x[1])); d.appendChild(el("span", x[0])); figures.appendChild(d);
      });
      box.appendChild(figures);
      box.appendChild(barChart("每日消息数", f.per_day.map(function (d) { return { label: d.date, value: d.total }; })));
      var names = { answer: "直接回答", event: "一件事", clarify: "澄清追问", fallback: "未能回答", handoff: "转人工" };
      box.appendChild(barChart("回答结果占比", Object.keys(names).map(function (k) {
        return { label: names[k], value: f.outcomes[k].count, text: Math.round(f.outcomes[k].share * 100) + "%", cls: k === "fallback" ? "fallback" : "" };
      })));
      box.appendChild(barChart("热门文档", f.top_documents.map(function (d) { return { label: d.doc_id, value: d.count }; })));
      box.appendChild(barChart("未回答问题组", f.top_unanswered.map(function (g) { return { label: g.question.slice(0, 12), value: g.size }; }), "fallback"));
      renderEvents(box, f.events);
    });
  }

  function renderEvents(box, events) {
    box.appendChild(el("h3", "一件事办理"));
    if (!events.length) { box.appendChild(el("p", "所选期间没有人发起一件事。")); return; }
    box.appendChild(barChart("发起次数", events.map(function (e) { return { label: e.event_id, value: e.started }; })));
    events.forEach(function (e) {
      box.appendChild(barChart(e.event_id + "：各步骤查看次数", e.step_views.map(function (v) { return { label: "第 " + v.step + " 步", value: v.views }; })));
      box.appendChild(barChart(e.event_id + "：停在哪一步（人数）", e.stops.map(function (v) {
        return { label: v.step === 0 ? "只看了清单" : "第 " + v.step + " 步", value: v.people, cls: "fallback" };
      })));
    });
  }

  function showIdentity() {
    api("/admin/me").then(function (me) {
      var role = me.role === "editor" ? "编辑" : "只读";
      var scope = me.role !== "editor" ? "" : " · 编辑范围：" + (me.department || "全部部门");
      $("who").textContent = me.name + "（" + role + "）" + scope;
    }).catch(function () { $("who").textContent = ""; });
  }

  function start() {
    $("login").hidden = true; $("app").hidden = false; showIdentity(); loadDocs();
  }

  $("login").addEventListener("submit", function (e) {
    e.preventDefault();
    token = $("token").value.trim();
    api("/admin/documents?page_size=1").then(function () {
      sessionStorage.setItem("govbot.admin.token", token); $("login-error").textContent = ""; start();
    }).catch(function () { $("login-error").textContent = "令牌无效，请重试。"; });
  });
  document.querySelectorAll("[role=tab]").forEach(function (b) { b.addEventListener("click", function () { showTab(b.dataset.tab); }); });
  $("doc-search").addEventListener("input", loadDocs);
  $("doc-text").addEventListener("input", scheduleCheck);
  $("save").addEventListener("click", save);
  $("delete").addEventListener("click", function () {
    var id = $("doc-id").value.trim();
    if (!id || !confirm("确定删除 " + id + "？")) { return; }
    api("/admin/documents/" + encodeURIComponent(id), { method: "DELETE", headers: { "If-Match": etag || "" } })
      .then(function () { etag = null; $("save-status").textContent = "已删除。"; loadDocs(); })
      .catch(function (e) { $("save-status").textContent = "删除失败：" + ((e.body && typeof e.body.detail === "string") ? e.body.detail : e.message); });
  });
  $("new-doc").addEventListener("click", function () {
    var today = new Date().toISOString().slice(0, 10);
    etag = null; $("doc-id").value = ""; $("doc-text").value = TEMPLATES[$("new-type").value].replace("{today}", today);
    $("history-rows").textContent = ""; showTab("editor"); scheduleCheck();
  });
  $("hit-go").addEventListener("click", hitTest);
  $("stats-go").addEventListener("click", loadStats);
  $("review-export").addEventListener("click", function (e) { e.preventDefault(); download("/admin/review.csv", "review.csv"); });
  $("stats-export").addEventListener("click", function (e) { e.preventDefault(); download("/admin/analytics.csv" + query(), "analytics.csv"); });
  if (token) { api("/admin/documents?page_size=1").then(start).catch(logout); }
})();
