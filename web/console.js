/*
 * Bildungslotse call-centre console: search-first. Results come while the agent types (debounced,
 * stale requests cancelled), filtered by source, page/offer, district, age, cost and language; each
 * result can be copied with its source; the conversation (the widget, mounted inline) sits beside
 * the results. Uses the widget's helpers (window.Bildungslotse.core), so text is only ever text.
 */
(function () {
  "use strict";

  var L = window.Bildungslotse;
  if (!L) { throw new Error("console.js needs widget.js loaded first"); }
  var core = L.core, el = core.el;
  var api = window.location.origin;
  var DEBOUNCE_MS = 250;
  var MIN_CHARS = 2;
  var K = 10;

  var form = document.getElementById("search-form");
  var q = document.getElementById("q");
  var results = document.getElementById("results");
  var status = document.getElementById("result-status");
  var askButton = document.getElementById("ask-button");
  var conversation = L.mount(document.getElementById("conversation"), { api: api, inline: true, initialLang: "de" });

  var FIELDS = { provider: "Anbieter", audience: "Zielgruppe", age: "Alter", district: "Bezirk", location: "Ort",
                 dates: "Zeitraum", cost_text: "Kosten", languages: "Sprachen", registration: "Anmeldung bis" };
  var LANGUAGE_NAMES = { de: "Deutsch", en: "Englisch", tr: "Türkisch", ar: "Arabisch", uk: "Ukrainisch",
                         ru: "Russisch", fa: "Persisch", pl: "Polnisch", fr: "Französisch", es: "Spanisch", it: "Italienisch" };

  // ---- searching ---------------------------------------------------------------------------------
  var timer = null, controller = null, seq = 0, lastKey = "";

  function params() {
    var p = new URLSearchParams();
    p.set("q", q.value.trim());
    p.set("k", String(K));
    ["source", "kind", "district", "age", "free", "language"].forEach(function (name) {
      var v = form.elements[name].value.trim();
      if (v) p.set(name, v);
    });
    if (form.elements.include_expired.checked) p.set("include_expired", "true");
    return p;
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(search, delay);
  }

  async function search() {
    var text = q.value.trim();
    if (text.length < MIN_CHARS) {
      if (controller) controller.abort();
      lastKey = "";
      core.clear(results);
      status.textContent = text ? "Bitte mindestens " + MIN_CHARS + " Zeichen eingeben." : "";
      return;
    }
    var p = params(), key = p.toString();
    if (key === lastKey) return;
    lastKey = key;
    if (controller) controller.abort();
    controller = new AbortController();
    var mine = ++seq;
    results.setAttribute("aria-busy", "true");
    try {
      // The agents work in German: "Kita" typed here is German, whatever the browser's language.
      var body = await core.getJSON(api, "/v1/search?" + key, controller.signal, "de");
      if (mine !== seq) return;
      render(body.passages || [], text);
    } catch (e) {
      if (e && e.name === "AbortError") return;
      if (mine !== seq) return;
      lastKey = "";
      core.clear(results);
      status.textContent = "Die Suche hat nicht geklappt: " + (e && e.message ? e.message : "keine Verbindung") + ".";
    } finally {
      if (mine === seq) results.removeAttribute("aria-busy");
    }
  }

  // ---- results -------------------------------------------------------------------------------------
  function render(passages, text) {
    core.clear(results);
    status.textContent = passages.length
      ? passages.length + (passages.length === 1 ? " Treffer" : " Treffer") + " für „" + text + "“"
      : "Keine Treffer für „" + text + "“. Weniger Filter oder andere Wörter versuchen.";
    passages.forEach(function (p, i) { results.appendChild(result(p, i)); });
  }

  function sourceName(src) { return [src.title, src.section].filter(Boolean).join(" – "); }

  function offerFacts(o) {
    var facts = [];
    function add(key, value) { if (value !== null && value !== undefined && value !== "") facts.push([FIELDS[key], String(value)]); }
    add("provider", o.provider);
    add("audience", o.audience);
    if (o.min_age !== null && o.min_age !== undefined || o.max_age !== null && o.max_age !== undefined) {
      add("age", (o.min_age !== null && o.min_age !== undefined ? o.min_age : "") + "–" +
                 (o.max_age !== null && o.max_age !== undefined ? o.max_age : "") + " Jahre");
    }
    add("district", o.district);
    add("location", o.location);
    if (o.start_date || o.end_date) {
      add("dates", [o.start_date, o.end_date].filter(Boolean).map(function (d) { return core.formatDate(d, "de"); }).join(" bis "));
    }
    add("cost_text", o.free ? (o.cost_text || "kostenlos") : o.cost_text);
    if (o.languages && o.languages.length) {
      add("languages", o.languages.map(function (c) { return LANGUAGE_NAMES[c] || c; }).join(", "));
    }
    if (o.registration_until) add("registration", core.formatDate(o.registration_until, "de"));
    return facts;
  }

  /** What the copy button puts on the clipboard: the passage, then where it comes from. */
  function copyText(p) {
    var src = p.source || {};
    var lines = [p.text, "", "Quelle: " + sourceName(src) + (src.as_of ? " (Stand: " + core.formatDate(src.as_of, "de") + ")" : "")];
    var link = core.safeUrl(src.fragment_link || src.deep_link || src.url);
    if (link) lines.push(link);
    return lines.join("\n");
  }

  function result(p, index) {
    var src = p.source || {};
    var id = "r" + index;
    var link = core.safeUrl(src.fragment_link || src.deep_link || src.url);
    var item = el("li", { "class": "result", tabindex: index === 0 ? "0" : "-1", "aria-labelledby": id + "-t",
                          "data-rank": p.rank, "data-kind": p.kind });
    var title = el("h3", { id: id + "-t", "class": "r-title" },
      el("span", { "class": "n" }, p.rank + ". "), sourceName(src) || src.url || "");
    var meta = el("p", { "class": "r-meta" },
      el("span", { "class": "badge " + (p.kind === "offer" ? "offer" : "page") }, p.kind === "offer" ? "Angebot" : "Seite"),
      src.source_name ? el("span", null, " · Quelle: " + src.source_name) : null,
      src.as_of ? el("span", null, " · Stand: ", el("time", { datetime: src.as_of }, core.formatDate(src.as_of, "de"))) : null);
    var text = el("p", { "class": "ptext" });
    text.appendChild(core.highlighted(p.text, p.highlights));
    item.appendChild(title);
    item.appendChild(meta);
    if (p.offer) {
      var dl = el("dl", { "class": "facts" });
      offerFacts(p.offer).forEach(function (f) { dl.appendChild(el("dt", null, f[0])); dl.appendChild(el("dd", null, f[1])); });
      if (dl.firstChild) item.appendChild(dl);
    }
    item.appendChild(text);
    var copy = el("button", { type: "button", "class": "copy", "aria-describedby": id + "-t" }, "Kopieren");
    copy.addEventListener("click", function () { copyResult(p, copy); });
    var actions = el("div", { "class": "actions" }, copy);
    if (link) {
      actions.appendChild(el("a", { href: link, target: "_blank", rel: "noopener noreferrer", "class": "open", "aria-describedby": id + "-t" },
        "Originalseite öffnen", el("span", { "class": "sr-only" }, " (neues Fenster)")));
    }
    item.appendChild(actions);
    item.addEventListener("focus", function () { setCurrent(item); });
    item.addEventListener("click", function (e) { if (e.target === item) setCurrent(item); });
    return item;
  }

  async function copyResult(p, button) {
    var text = copyText(p);
    var ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch (e) {
      // Older browsers, or a page not in a secure context: a hidden text field and the copy command.
      var area = el("textarea", { "class": "sr-only", "aria-hidden": "true", tabindex: "-1" });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      try { ok = document.execCommand("copy"); } catch (e2) { ok = false; }
      document.body.removeChild(area);
    }
    status.textContent = ok ? "Kopiert: Treffer " + p.rank + " mit Quelle." : "Kopieren ging nicht; bitte den Text markieren.";
    if (button) {
      button.textContent = ok ? "Kopiert ✓" : "Kopieren";
      setTimeout(function () { button.textContent = "Kopieren"; }, 2000);
    }
  }

  function items() { return Array.prototype.slice.call(results.querySelectorAll(".result")); }

  function setCurrent(item) {
    items().forEach(function (i) { i.setAttribute("tabindex", i === item ? "0" : "-1"); });
  }

  function focusResult(i) {
    var all = items();
    if (!all.length) return;
    var item = all[Math.max(0, Math.min(all.length - 1, i))];
    setCurrent(item);
    item.focus();
  }

  // ---- keyboard --------------------------------------------------------------------------------
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "k" || e.key === "K")) {
      e.preventDefault();
      q.focus();
      q.select();
    }
  });

  q.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); clearTimeout(timer); search().then(function () { focusResult(0); }); }
    else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); conversation.ask(q.value); }
    else if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); search(); }
    else if (e.key === "Escape" && q.value) { e.preventDefault(); q.value = ""; schedule(0); }
  });

  // Single-key shortcuts act only on a focused result (WCAG 2.1.4: never while typing anywhere).
  results.addEventListener("keydown", function (e) {
    var item = e.target;
    if (!item.classList || !item.classList.contains("result") || e.ctrlKey || e.metaKey || e.altKey) return;
    var all = items(), i = all.indexOf(item);
    var key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (key === "ArrowDown") focusResult(i + 1);
    else if (key === "ArrowUp") { if (i === 0) q.focus(); else focusResult(i - 1); }
    else if (key === "Home") focusResult(0);
    else if (key === "End") focusResult(all.length - 1);
    else if (key === "c") item.querySelector("button.copy").click();
    else if (key === "o") { var a = item.querySelector("a.open"); if (a) a.click(); }
    else if (key === "Escape") q.focus();
    else return;
    e.preventDefault();
  });

  q.addEventListener("input", function () { schedule(DEBOUNCE_MS); });
  form.addEventListener("change", function (e) { if (e.target !== q) schedule(0); });
  form.addEventListener("input", function (e) { if (e.target !== q) schedule(DEBOUNCE_MS); });
  // "Filter zurücksetzen" resets the filters, not what the agent typed.
  form.addEventListener("reset", function () {
    var keep = q.value;
    setTimeout(function () { q.value = keep; schedule(0); }, 0);
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); schedule(0); });
  askButton.addEventListener("click", function () { conversation.ask(q.value); });

  // ---- filter choices from the index ------------------------------------------------------------
  (async function fillChoices() {
    try {
      var docs = await core.getJSON(api, "/v1/documents?limit=1000");
      var names = {};
      (docs.documents || []).forEach(function (d) { names[d.source_name] = true; });
      var select = form.elements.source;
      Object.keys(names).sort().forEach(function (n) { select.appendChild(el("option", { value: n }, n)); });
      var offers = await core.getJSON(api, "/v1/offers?limit=200&include_expired=true");
      var districts = {};
      (offers.offers || []).forEach(function (o) { if (o.offer && o.offer.district) districts[o.offer.district] = true; });
      var list = document.getElementById("districts");
      Object.keys(districts).sort().forEach(function (d) { list.appendChild(el("option", { value: d })); });
    } catch (e) {
      /* the filters still work as free text */
    }
  })();

  window.BildungslotseConsole = { search: search, conversation: conversation, copyText: copyText };
  if (q.value.trim()) schedule(0);
})();
