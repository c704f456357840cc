/* duban status site: filter-as-you-type, filters and sortable columns. Progressive enhancement: every page is
   complete without this script; it only hides, orders and (for large registries) adds rows. No framework, no
   network, and no innerHTML: text from the registry is only ever set with textContent. */
(function () {
  "use strict";

  var LIGHTS = ["red", "yellow", "green", "grey", "done", "cancelled"];
  var FILTERS = ["light", "unit", "leader", "source", "priority", "status"];
  var LARGE_CHUNK = 200; // rows added at a time when the registry is large

  function $(id) { return document.getElementById(id); }

  function format(pattern, values) {
    return pattern.replace(/%\((\w+)\)s/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function names(table, positions) {
    return positions.map(function (i) { return table[i] ? table[i][1] : ""; });
  }

  function plural(forms, n) { return format(forms[n === 1 ? 0 : 1], { num: n }); }

  /* --- the item list (tasks/index.html) --- */

  function TaskList(config) {
    var index = config.index;
    var labels = config.labels;
    var col = {};
    index.columns.forEach(function (name, i) { col[name] = i; });
    var table = $("task-table");
    var tbody = table.tBodies[0];
    var form = $("task-filters");
    var status = $("task-count");
    var moreWrap = $("task-more-wrap");
    var moreButton = $("task-more");
    var collator = new Intl.Collator(config.lang, { numeric: true });
    var dateFormat = new Intl.DateTimeFormat(config.lang, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
    var serverRows = {};
    Array.prototype.forEach.call(tbody.rows, function (tr) { serverRows[tr.getAttribute("data-id")] = tr; });

    var records = index.rows.map(function (row, order) {
      var unit = index.units[row[col.lead]] || ["", ""];
      var leader = row[col.leader] >= 0 ? index.people[row[col.leader]] : ["", ""];
      return {
        row: row, order: order, id: row[col.id], unit: unit, leader: leader,
        text: [row[col.id], row[col.title], unit[1], leader[1], row[col.search]]
          .concat(names(index.units, row[col.co_units]), names(index.people, row[col.people]))
          .join(" ").toLowerCase(),
        values: {
          light: row[col.light], unit: unit[0], leader: leader[0], source: row[col.source],
          priority: row[col.priority], status: row[col.status]
        },
        element: null
      };
    });

    var sortKeys = {
      id: function (r) { return r.id; },
      title: function (r) { return r.row[col.title]; },
      light: function (r) { return LIGHTS.indexOf(r.row[col.light]); },
      status: function (r) { return labels.status[r.row[col.status]] || r.row[col.status]; },
      lead: function (r) { return r.unit[1]; },
      leader: function (r) { return r.leader[1]; },
      deadline: function (r) { return r.row[col.deadline]; },
      days: function (r) { return r.row[col.days_left]; },
      progress: function (r) { var p = r.row[col.progress]; return p === null ? -1 : p; }
    };

    var state = { q: "", sort: "", dir: 1, limit: config.large ? LARGE_CHUNK : Infinity };
    FILTERS.forEach(function (name) { state[name] = ""; });

    function matches(record) {
      if (state.q && record.text.indexOf(state.q) < 0) { return false; }
      return FILTERS.every(function (name) { return !state[name] || record.values[name] === state[name]; });
    }

    function compare(a, b) {
      if (!state.sort) { return a.order - b.order; }
      var x = sortKeys[state.sort](a), y = sortKeys[state.sort](b);
      var result = typeof x === "number" && typeof y === "number" ? x - y : collator.compare(String(x), String(y));
      return result * state.dir || a.order - b.order;
    }

    function cell(tr, className) {
      var td = document.createElement("td");
      td.className = className;
      tr.appendChild(td);
      return td;
    }

    function link(parent, href, text) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      parent.appendChild(a);
      return a;
    }

    function daysText(row) {
      var st = row[col.status];
      if (st === "completed") { return row[col.days_late] ? plural(labels.late, row[col.days_late]) : labels.onTime; }
      if (st === "cancelled" || st === "suspended") { return ""; }
      if (row[col.days_overdue]) { return plural(labels.overdue, row[col.days_overdue]); }
      if (st === "reported") { return labels.review; }
      if (row[col.days_left] === 0) { return labels.dueToday; }
      return plural(labels.left, row[col.days_left]);
    }

    /* The same structure as the server's task_row macro (site_templates/_macros.html). */
    function buildRow(record) {
      var row = record.row, root = config.root;
      var tr = document.createElement("tr");
      tr.setAttribute("data-id", record.id);
      tr.className = "row-" + row[col.light];
      cell(tr, "col-id").textContent = record.id;
      var title = cell(tr, "col-title");
      link(title, root + "tasks/" + encodeURIComponent(record.id) + "/index.html", row[col.title]);
      if (row[col.priority] !== "normal") {
        var badge = document.createElement("span");
        badge.className = "priority priority-" + row[col.priority];
        badge.textContent = labels.priority[row[col.priority]] || row[col.priority];
        title.appendChild(document.createTextNode(" "));
        title.appendChild(badge);
      }
      var light = document.createElement("span");
      light.className = "light light-" + row[col.light];
      var icon = document.createElement("span");
      icon.className = "light-icon";
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = config.icons[row[col.light]] || "";
      light.appendChild(icon);
      light.appendChild(document.createTextNode(" " + (labels.light[row[col.light]] || row[col.light])));
      var lightCell = cell(tr, "col-light");
      lightCell.setAttribute("data-sort", LIGHTS.indexOf(row[col.light]));
      lightCell.appendChild(light);
      cell(tr, "col-status").textContent = labels.status[row[col.status]] || row[col.status];
      link(cell(tr, "col-lead"), root + "units/" + encodeURIComponent(record.unit[0]) + "/index.html", record.unit[1]);
      var leaderCell = cell(tr, "col-leader");
      if (record.leader[0]) {
        link(leaderCell, root + "people/" + encodeURIComponent(record.leader[0]) + "/index.html", record.leader[1]);
      }
      var time = document.createElement("time");
      time.setAttribute("datetime", row[col.deadline]);
      time.textContent = dateFormat.format(new Date(row[col.deadline] + "T00:00:00Z"));
      cell(tr, "col-deadline").appendChild(time);
      var days = cell(tr, "col-days");
      days.setAttribute("data-sort", row[col.days_left]);
      if (row[col.days_overdue] || row[col.days_late]) {
        var late = document.createElement("span");
        late.className = "late";
        late.textContent = daysText(row);
        days.appendChild(late);
      } else {
        days.textContent = daysText(row);
      }
      cell(tr, "col-progress").textContent = row[col.progress] === null ? "" : row[col.progress] + "%";
      return tr;
    }

    function element(record) {
      if (!record.element) { record.element = serverRows[record.id] || buildRow(record); }
      return record.element;
    }

    function render() {
      var shown = records.filter(matches).sort(compare);
      var visible = shown.slice(0, state.limit);
      var fragment = document.createDocumentFragment();
      visible.forEach(function (record) { fragment.appendChild(element(record)); });
      tbody.textContent = "";
      tbody.appendChild(fragment);
      var numbers = { shown: visible.length, matching: shown.length, total: records.length };
      status.textContent = format(shown.length === records.length ? labels.count : labels.countFiltered, numbers);
      var rest = shown.length - visible.length;
      moreWrap.hidden = rest <= 0;
      if (rest > 0) { moreButton.textContent = format(labels.more, { num: Math.min(rest, LARGE_CHUNK) }); }
      updateSortHeaders();
    }

    /* The filters live in the address (#light=red&unit=housing), so a link can open a filtered list. */
    function readHash() {
      var params = new URLSearchParams(location.hash.replace(/^#/, ""));
      state.q = (params.get("q") || "").toLowerCase();
      $("filter-q").value = params.get("q") || "";
      FILTERS.forEach(function (name) {
        var select = $("filter-" + name), value = params.get(name) || "";
        var known = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
        state[name] = known ? value : "";
        select.value = state[name];
      });
      state.sort = sortKeys[params.get("sort")] ? params.get("sort") : "";
      state.dir = params.get("dir") === "desc" ? -1 : 1;
    }

    function writeHash() {
      var params = new URLSearchParams();
      if ($("filter-q").value) { params.set("q", $("filter-q").value); }
      FILTERS.forEach(function (name) { if (state[name]) { params.set(name, state[name]); } });
      if (state.sort) { params.set("sort", state.sort); params.set("dir", state.dir < 0 ? "desc" : "asc"); }
      var hash = params.toString();
      if (history.replaceState) {
        history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
      }
    }

    function update() {
      state.q = $("filter-q").value.trim().toLowerCase();
      FILTERS.forEach(function (name) { state[name] = $("filter-" + name).value; });
      state.limit = config.large ? LARGE_CHUNK : Infinity;
      writeHash();
      render();
    }

    var headers = {};
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      var key = th.className.replace(/^.*\bcol-(\w+).*$/, "$1");
      if (!sortKeys[key]) { return; }
      headers[key] = th;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        state.dir = state.sort === key ? -state.dir : 1;
        state.sort = key;
        writeHash();
        render();
      });
    });

    function updateSortHeaders() {
      Object.keys(headers).forEach(function (key) {
        if (key === state.sort) {
          headers[key].setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
        } else {
          headers[key].removeAttribute("aria-sort");
        }
      });
    }

    /* Small lists update on every key stroke; large ones wait for a pause in typing. */
    var timer = null;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      if (config.large) { timer = setTimeout(update, 150); } else { update(); }
    });
    form.addEventListener("change", update);
    form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
    form.addEventListener("reset", function (event) {
      event.preventDefault(); // clear by hand, so that the list is up to date when the click returns
      $("filter-q").value = "";
      FILTERS.forEach(function (name) { $("filter-" + name).value = ""; });
      update();
    });
    moreButton.addEventListener("click", function () { state.limit += LARGE_CHUNK; render(); });
    window.addEventListener("hashchange", function () { readHash(); render(); });

    form.hidden = false;
    readHash();
    render();
  }

  /* --- other tables: click a column header to sort (unit, person, overdue pages) --- */

  function sortValue(row, index) {
    var cellElement = row.cells[index];
    if (!cellElement) { return ""; }
    var time = cellElement.querySelector("time");
    var value = cellElement.getAttribute("data-sort") || (time ? time.getAttribute("datetime") : cellElement.textContent);
    var number = parseFloat(value);
    return isNaN(number) || !/^[-\d.]/.test(value.trim()) ? value.trim() : number;
  }

  function makeSortable(table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    var collator = new Intl.Collator(document.documentElement.lang, { numeric: true });
    var cells = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var direction = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        Array.prototype.forEach.call(cells, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", direction > 0 ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = sortValue(a, index), y = sortValue(b, index);
          var result = typeof x === "number" && typeof y === "number" ? x - y : collator.compare(String(x), String(y));
          return result * direction;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function start() {
    var data = $("task-index");
    if (data) { TaskList(JSON.parse(data.textContent)); }
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
