// The Qorgau staff console: vanilla JS, no inline script, nothing from another origin.
// initData comes from Telegram (window.Telegram.WebApp, or the #tgWebAppData the client puts in the URL),
// is exchanged once for a session token kept in memory only, sent as an Authorization header.
(function () {
  "use strict";
  var tg = (window.Telegram && window.Telegram.WebApp) || null;
  var hash = new URLSearchParams(location.hash.slice(1));
  var state = { token: null, user: null, texts: {}, view: "queue", filters: {}, dash: { days: "30", region: "" } };
  // The 20 regions on a 6 x 5 grid, roughly where they lie (column, row).
  var TILES = {
    "27": [1, 1], "39": [3, 1], "59": [4, 1], "55": [5, 1],
    "23": [1, 2], "15": [2, 2], "11": [4, 2], "71": [5, 2], "63": [6, 2],
    "47": [1, 3], "62": [3, 3], "35": [4, 3], "10": [6, 3],
    "43": [2, 4], "31": [4, 4], "19": [5, 4], "33": [6, 4],
    "61": [3, 5], "79": [4, 5], "75": [5, 5]
  };
  var STATUSES = ["new", "in_progress", "escalated"];
  var SEVERITIES = ["urgent", "high", "normal"];
  var CATEGORIES = ["violence", "bullying", "teacher", "selfharm", "sexual", "dangerous", "substances", "other"];
  var AGES = ["lt24h", "lt48h", "older"];
  var OWNERS = ["mine", "unassigned"];
  var CONTENT = ["live", "removed"];  // the takedown track
  var CHILD = ["help_needed", "contact_pending"];  // the child-help track

  function t(key, params) {
    var text = state.texts[key];
    if (text === undefined) { return key; }
    Object.keys(params || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(params[name])); });
    return text;
  }
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (name === "text") { node.textContent = value; }
      else if (name === "class") { node.className = value; }
      else if (name.slice(0, 2) === "on") { node.addEventListener(name.slice(2), value); }
      else if (value !== null && value !== undefined && value !== false) { node.setAttribute(name, value); }
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) { continue; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }
  function show() {
    var view = document.getElementById("view");
    view.textContent = "";
    for (var i = 0; i < arguments.length; i++) { if (arguments[i]) { view.appendChild(arguments[i]); } }
  }
  function toast(text) {
    var box = document.getElementById("toast");
    box.textContent = text; box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.hidden = true; }, 3500);
  }
  function when(iso) {
    if (!iso) { return "—"; }
    var d = new Date(Date.parse(iso) + 5 * 3600 * 1000); // Kazakhstan time (UTC+5), as the bot writes it
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(d.getUTCDate()) + "." + two(d.getUTCMonth() + 1) + " " + two(d.getUTCHours()) + ":" + two(d.getUTCMinutes());
  }
  function requestId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // --- theme ---------------------------------------------------------------------------------------------
  function applyTheme() {
    var params = (tg && tg.themeParams) || {};
    if (!tg && hash.get("tgWebAppThemeParams")) {
      try { params = JSON.parse(hash.get("tgWebAppThemeParams")); } catch (e) { params = {}; }
    }
    var names = { bg_color: "--bg", text_color: "--text", hint_color: "--hint", link_color: "--link",
      button_color: "--button", button_text_color: "--button-text", secondary_bg_color: "--secondary-bg" };
    Object.keys(names).forEach(function (key) {
      if (/^#[0-9a-fA-F]{3,8}$/.test(params[key] || "")) { document.documentElement.style.setProperty(names[key], params[key]); }
    });
    var scheme = (tg && tg.colorScheme) || hash.get("tgWebAppColorScheme");
    if (!scheme && params.bg_color) {
      var hex = params.bg_color.replace("#", "");
      var rgb = [0, 2, 4].map(function (i) { return parseInt(hex.substr(i, 2), 16) || 0; });
      scheme = (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) < 128 ? "dark" : "light";
    }
    document.documentElement.classList.toggle("dark", scheme === "dark");
  }

  // --- the API -------------------------------------------------------------------------------------------
  function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (state.token) { headers["Authorization"] = "Bearer " + state.token; }
    if (body) { headers["Content-Type"] = "application/json"; }
    return fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined,
      credentials: "omit", cache: "no-store" })
      .then(function (response) {
        return response.json().catch(function () { return { ok: false, error: String(response.status) }; })
          .then(function (data) {
            if (!response.ok || !data.ok) {
              var error = new Error(data.error || String(response.status));
              error.status = response.status;
              throw error;
            }
            return data;
          });
      });
  }
  function failed(error) {
    if (error.status === 401 || error.status === 403) {
      state.token = null;
      show(el("p", { class: "hint", id: "refused", text: t("console_no_access") }));
      return;
    }
    toast(t("console_error", { reason: error.message }));
  }

  // --- queue ---------------------------------------------------------------------------------------------
  function filterSelect(name, values, label) {
    var select = el("select", { name: name, "aria-label": t("console_filter_" + name), onchange: function () {
      state.filters[name] = select.value; queue();
    } }, el("option", { value: "", text: t("console_all") }));
    values.forEach(function (value) {
      var option = el("option", { value: value, text: label(value) });
      if (state.filters[name] === value) { option.selected = true; }
      select.appendChild(option);
    });
    return el("label", {}, t("console_filter_" + name), select);
  }
  function filters() {
    var regions = state.user.role === "regional" ? state.user.regions : Object.keys(TILES).sort();
    return el("div", { class: "filters" },
      filterSelect("status", STATUSES, function (v) { return t("status_" + v); }),
      filterSelect("severity", SEVERITIES, function (v) { return t("severity_" + v); }),
      filterSelect("category", CATEGORIES, function (v) { return t("cat_" + v); }),
      filterSelect("region", regions, function (v) { return t("region_" + v); }),
      filterSelect("age", AGES, function (v) { return t("console_age_" + v); }),
      filterSelect("owner", OWNERS, function (v) { return t("console_owner_" + v); }),
      filterSelect("content", CONTENT, function (v) { return t("console_content_" + v); }),
      filterSelect("child", CHILD, function (v) { return t("console_child_" + v); }));
  }
  function actionButtons(code, actions, done) {
    var box = el("div", { class: "actions" });
    actions.forEach(function (item) {
      box.appendChild(el("button", { type: "button", class: item.action === "take" ? "btn" : "btn secondary",
        "data-action": item.action, text: t("console_action_" + item.action), onclick: function () {
          if (!item.arguments.length) { act(code, item.action, "", done); return; }
          var choice = el("div", { class: "choice" }, el("span", { class: "hint", text: t("console_choose") }));
          var prefix = { escalate: "esc_", resolve: "res_", reject: "rej_" }[item.action];
          item.arguments.forEach(function (argument) {
            choice.appendChild(el("button", { type: "button", class: "btn secondary", "data-argument": argument,
              text: t(prefix + argument), onclick: function () { act(code, item.action, argument, done); } }));
          });
          choice.appendChild(el("button", { type: "button", class: "link", text: t("console_cancel"),
            onclick: function () { choice.remove(); } }));
          box.appendChild(choice);
        } }));
    });
    return box;
  }
  function act(code, action, argument, done) {
    api("POST", "api/cases/" + encodeURIComponent(code) + "/action",
      { action: action, argument: argument, request_id: requestId() })
      .then(function (data) {
        toast(t("console_action_done", { code: data.code, status: t("status_" + data.status) }));
        done();
      }, function (error) {
        if (error.status === 409) { toast(error.message); done(); } else { failed(error); }
      });
  }
  function caseRow(item) {
    var flags = [];
    if (item.mine) { flags.push(t("console_mine")); } else if (item.assigned) { flags.push(t("console_taken")); }
    if (item.sla_escalated) { flags.push("⏰ " + t("console_sla_late")); }
    if (item.restricted) { flags.push(t("console_restricted")); }
    if (item.content) { flags.push(t("console_content_" + item.content)); }
    if (item.child_help_needed) { flags.push(t("console_child_help_needed")); }
    if (item.contact_pending) { flags.push(t("console_child_contact_pending")); }
    return el("article", { class: "case", "data-code": item.code },
      el("h3", {},
        el("a", { href: "#", text: item.code, onclick: function (event) { event.preventDefault(); openCase(item.code); } }),
        el("span", { class: "badge sev-" + item.severity, text: t("severity_" + item.severity) }),
        el("span", { class: "badge age-" + item.age, text: t("console_age_" + item.age) })),
      el("div", { class: "meta", text: [t("cat_" + item.category), t("region_" + item.region),
        t("status_" + item.status), when(item.created_at)].join(" · ") }),
      flags.length ? el("div", { class: "meta", text: flags.join(" · ") }) : null,
      actionButtons(item.code, item.actions, queue));
  }
  function queue() {
    state.view = "queue"; tabs();
    var list = el("div", { id: "queue" });
    show(filters(), list, el("p", { class: "hint", text: t("console_loading") }));
    loadPage(list, null, true);
  }
  function loadPage(list, cursor, first) {
    var params = new URLSearchParams();
    Object.keys(state.filters).forEach(function (name) { if (state.filters[name]) { params.set(name, state.filters[name]); } });
    if (cursor) { params.set("cursor", cursor); }
    api("GET", "api/queue?" + params.toString()).then(function (data) {
      var view = document.getElementById("view");
      var old = view.querySelector(".hint, .more");
      if (old) { old.remove(); }
      data.cases.forEach(function (item) { list.appendChild(caseRow(item)); });
      if (first && !data.cases.length) { view.appendChild(el("p", { class: "hint", text: t("console_empty") })); }
      if (data.next) {
        view.appendChild(el("button", { type: "button", class: "btn secondary more", id: "more", text: t("console_more"),
          onclick: function () { loadPage(list, data.next, false); } }));
      }
    }, failed);
  }

  // --- case file -----------------------------------------------------------------------------------------
  function lines(items) {
    if (!items.length) { return el("p", { class: "hint", text: t("console_none") }); }
    var list = el("ol", { class: "lines" });
    items.forEach(function (item) { list.appendChild(el("li", { "data-kind": item.kind, text: item.text })); });
    return list;
  }
  function section(id, title) {
    var box = el("section", { id: id }, el("h2", { text: title }));
    for (var i = 2; i < arguments.length; i++) { if (arguments[i]) { box.appendChild(arguments[i]); } }
    return box;
  }
  function facts(data) {
    var f = data.facts;
    var rows = [
      ["console_fact_category", t("cat_" + f.category)], ["console_fact_severity", t("severity_" + f.severity)],
      ["console_fact_region", t("region_" + f.region)], ["console_fact_created", when(data.created_at)],
      ["console_fact_owner", f.owner || t("console_nobody")], ["console_fact_reporters", String(f.reporter_count)],
      ["console_fact_media", String(f.media_count)]
    ];
    if (f.child_in_danger) { rows.push(["console_fact_child_danger", t("console_yes")]); }
    if (f.outcome) { rows.push(["console_fact_outcome", f.outcome]); }
    if (f.description) { rows.push(["console_fact_description", f.description]); }
    var list = el("dl");
    rows.forEach(function (row) { list.appendChild(el("dt", { text: t(row[0]) })); list.appendChild(el("dd", { text: row[1] })); });
    return list;
  }
  function openCase(code) {
    state.view = "case"; tabs();
    show(el("p", { class: "hint", text: t("console_loading") }));
    api("GET", "api/cases/" + encodeURIComponent(code)).then(function (data) {
      var head = el("h1", { id: "case-code", text: data.code + " · " + t("status_" + data.status) });
      if (data.status_only) { show(head, el("p", { class: "hint", id: "status-only", text: t("console_status_only") })); return; }
      var links = data.links.length ? el("ol", { class: "lines" }) : el("p", { class: "hint", text: t("console_links_none") });
      data.links.forEach(function (link) {
        links.appendChild(el("li", { class: "state-" + link.state },
          (link.url || t("console_link_hidden")) + " — " + t("console_link_" + link.state)));
      });
      var child = data.child_track.pending ? t("console_child_pending")
        : data.child_track.first_contact_at ? t("console_child_contacted", { time: when(data.child_track.first_contact_at) })
          : t("console_child_none");
      var evidence = data.evidence ? el("button", { type: "button", class: "btn secondary", id: "evidence",
        text: t("console_send_evidence"), onclick: function () {
          var ask = tg && tg.showConfirm ? function (done) { tg.showConfirm(t("console_evidence_confirm"), done); }
            : function (done) { done(window.confirm(t("console_evidence_confirm"))); };
          ask(function (yes) {
            if (!yes) { return; }
            api("POST", "api/cases/" + encodeURIComponent(data.code) + "/evidence", { request_id: requestId() })
              .then(function () { toast(t("console_evidence_sent")); }, failed);
          });
        } }) : null;
      show(head,
        actionButtons(data.code, data.actions, function () { openCase(data.code); }),
        section("facts", t("console_facts"), facts(data)),
        section("links", t("console_links"), links, el("p", { class: "hint", text: t("console_no_media_note") }), evidence),
        section("child", t("console_child_track"), el("p", { text: child })),
        section("conversation", t("console_conversation"), lines(data.conversation)),
        section("notes", t("console_notes"), lines(data.notes)),
        section("history", t("console_history"), lines(data.history)));
    }, function (error) { if (error.status === 404) { toast(error.message); queue(); } else { failed(error); } });
  }

  // --- dashboard -----------------------------------------------------------------------------------------
  function plotted(shown) { return shown === "<5" ? 2.5 : Number(shown); }
  function duration(minutes) {
    if (minutes === null || minutes === undefined) { return t("console_no_data"); }
    return minutes < 120 ? t("console_minutes", { n: Math.round(minutes) }) : t("console_hours", { n: Math.round(minutes / 60) });
  }
  function tileMap(counts) {
    var max = Math.max.apply(null, [1].concat(Object.keys(counts).map(function (k) { return counts[k]; })));
    var grid = el("div", { class: "tiles", id: "tiles" });
    Object.keys(TILES).forEach(function (code) {
      var known = Object.prototype.hasOwnProperty.call(counts, code);
      var n = counts[code] || 0;
      var tile = el("div", { class: known && n ? "tile" : "tile empty", "data-region": code, title: t("region_" + code) },
        el("span", { text: t("region_btn_" + code) }), el("b", { text: known ? String(n) : "·" }));
      tile.style.gridColumn = String(TILES[code][0]);
      tile.style.gridRow = String(TILES[code][1]);
      if (known && n) { tile.style.background = "hsl(8, 70%, " + Math.round(68 - 36 * (n / max)) + "%)"; }
      grid.appendChild(tile);
    });
    return grid;
  }
  function table(head, rows) {
    var box = el("table");
    var tr = el("tr");
    head.forEach(function (h) { tr.appendChild(el("th", { text: h })); });
    box.appendChild(tr);
    rows.forEach(function (row) {
      var line = el("tr");
      row.forEach(function (cell) { line.appendChild(el("td", { text: cell })); });
      box.appendChild(line);
    });
    return el("div", { class: "scroll" }, box);
  }
  function dashboard() {
    state.view = "dashboard"; tabs();
    var period = el("select", { name: "days", "aria-label": t("console_period"), onchange: function () { state.dash.days = period.value; dashboard(); } });
    ["7", "30", "90"].forEach(function (d) {
      var option = el("option", { value: d, text: t("console_days", { n: d }) });
      if (state.dash.days === d) { option.selected = true; }
      period.appendChild(option);
    });
    show(el("div", { class: "filters" }, el("label", {}, t("console_period"), period)), el("p", { class: "hint", text: t("console_loading") }));
    var params = new URLSearchParams({ days: state.dash.days });
    api("GET", "api/dashboard?" + params.toString()).then(function (data) {
      var chartBox = el("div", { id: "chart" });
      var times = data.times_by_region.map(function (r) {
        return [t("region_" + r.region), String(r.cases), duration(r.median_take_minutes),
          duration(r.median_resolve_hours === null ? null : r.median_resolve_hours * 60),
          r.contacts ? duration(r.median_contact_minutes) + " (" + r.contacts + ")" : duration(null),
          r.removed ? duration(r.median_removal_hours * 60) + " (" + r.removed + " / " + r.links + ")" : duration(null)];
      });
      var platforms = data.removal_by_platform.map(function (p) {
        return [p.platform, p.removed + " / " + p.links, p.median_hours === null ? t("console_no_data") : String(Math.round(p.median_hours))];
      });
      show(el("div", { class: "filters" }, el("label", {}, t("console_period"), period)),
        el("h1", { id: "total", "data-total": String(data.total), text: t("console_total", { n: data.total }) }),
        section("per-day", t("console_received_closed"), chartBox),
        section("map", t("console_open_by_region"), tileMap(data.open_by_region)),
        section("times", t("console_times_by_region"), table([t("console_region"), t("console_cases"),
          t("console_median_take"), t("console_median_resolve"), t("console_median_contact"),
          t("console_median_removal")], times)),
        platforms.length ? section("removal", t("console_removal_by_platform"),
          table([t("console_platform"), t("console_removed"), t("console_median_hours")], platforms)) : null,
        section("summary", t("console_summary"), el("pre", { class: "summary", id: "summary-text", text: data.summary })));
      drawChart(chartBox, data.chart.per_day);
    }, failed);
  }
  function drawChart(box, perDay) {
    if (!window.uPlot || !perDay.length) { return; }
    var xs = perDay.map(function (d) { return Date.parse(d.day + "T12:00:00Z") / 1000; });
    var style = getComputedStyle(document.documentElement);
    var text = style.getPropertyValue("--text").trim() || "#000";
    var options = {
      width: Math.max(280, box.clientWidth || 320), height: 200,
      axes: [{ stroke: text }, { stroke: text }],
      legend: { live: false },
      series: [{ label: "" }, { label: t("console_received"), stroke: "#c0392b", width: 2 },
        { label: t("console_closed"), stroke: "#27ae60", width: 2 }]
    };
    new window.uPlot(options, [xs, perDay.map(function (d) { return plotted(d.received); }),
      perDay.map(function (d) { return plotted(d.closed); })], box);
  }

  // --- frame -----------------------------------------------------------------------------------------------
  function tabs() {
    var queueTab = document.getElementById("tab-queue");
    var dashTab = document.getElementById("tab-dashboard");
    queueTab.setAttribute("aria-selected", String(state.view !== "dashboard"));
    dashTab.setAttribute("aria-selected", String(state.view === "dashboard"));
    var back = document.getElementById("back");
    back.hidden = state.view !== "case";
    if (tg && tg.BackButton) { if (state.view === "case") { tg.BackButton.show(); } else { tg.BackButton.hide(); } }
  }
  function start() {
    applyTheme();
    if (tg && tg.ready) { tg.ready(); }
    if (tg && tg.expand) { tg.expand(); }
    var initData = (tg && tg.initData) || hash.get("tgWebAppData") || "";
    var lang = ((tg && tg.initDataUnsafe && tg.initDataUnsafe.user && tg.initDataUnsafe.user.language_code) || "ru") === "kk" ? "kk" : "ru";
    fetch("i18n/" + lang + ".json").then(function (r) { return r.json(); }).then(function (texts) {
      state.texts = texts;
      if (!initData) { show(el("p", { class: "hint", text: t("console_open_in_telegram") })); return null; }
      return api("POST", "api/session", { init_data: initData }).then(function (data) {
        state.token = data.token; state.user = data.user;
        history.replaceState(null, "", location.pathname + location.search); // initData leaves the address bar
        var ready = data.user.lang === lang ? Promise.resolve(texts)
          : fetch("i18n/" + data.user.lang + ".json").then(function (r) { return r.json(); });
        return ready.then(function (chosen) {
          state.texts = chosen;
          document.documentElement.lang = data.user.lang;
          document.getElementById("tab-queue").textContent = t("console_tab_queue");
          document.getElementById("tab-dashboard").textContent = t("console_tab_dashboard");
          document.getElementById("back").textContent = "‹ " + t("console_back");
          document.title = t("console_title");
          var asked = new URLSearchParams(location.search).get("case") || (tg && tg.initDataUnsafe && tg.initDataUnsafe.start_param);
          if (asked && /^[A-Za-z0-9-]{1,24}$/.test(asked)) { openCase(asked); } else { queue(); }
        });
      }, function (error) {
        show(el("p", { class: "hint", id: "refused", text: error.status === 403 ? t("console_no_access")
          : t("console_signin_failed", { reason: error.message }) }));
      });
    });
    document.getElementById("tab-queue").addEventListener("click", function () { if (state.token) { queue(); } });
    document.getElementById("tab-dashboard").addEventListener("click", function () { if (state.token) { dashboard(); } });
    document.getElementById("back").addEventListener("click", function () { queue(); });
    if (tg && tg.BackButton && tg.BackButton.onClick) { tg.BackButton.onClick(function () { queue(); }); }
  }
  document.addEventListener("DOMContentLoaded", start);
}());
